import { workerData } from 'node:worker_threads';
import { CONTROL, drawOneChunk, tagOf, type FillKernel } from './chunked-fill.js';

/**
 * The helper thread of normal-fill-helper.ts: the noise kernel instantiated on the requester's shared memory.
 * It sleeps on the request word, and for each request claims and draws chunks until none is left.
 */
interface WasmInstanceApi {
  Instance: new (module: object, imports: object) => { readonly exports: { fill: FillKernel } };
}
const { module, memory, control: controlBuffer } = workerData as { module: object; memory: object; control: SharedArrayBuffer };
const wasm = (globalThis as unknown as { WebAssembly: WasmInstanceApi }).WebAssembly;
const { fill } = new wasm.Instance(module, { env: { memory } }).exports;
const control = new Int32Array(controlBuffer);
const std32 = new Float32Array(controlBuffer);

let last = 0;
for (;;) {
  Atomics.wait(control, CONTROL.SEQ, last);
  last = Atomics.load(control, CONTROL.SEQ);
  const tag = tagOf(last);
  while (drawOneChunk(control, std32, tag, fill) >= 0) Atomics.add(control, CONTROL.HELPED, 1);
}
