/**
 * What `anneal backend install tensorflow[-gpu]` builds, pinned: the tfjs-node package (JS + addon sources, its
 * install script skipped), the PyPI wheel whose TensorFlow C library the addon links against, the files taken
 * from that wheel, and the links tfjs-node expects in its deps/ folder. Facts: ../shared/docs/performance-notes.md.
 */
export interface NativeBuildSpec {
  /** anneal backend name. */
  readonly backend: 'tensorflow' | 'tensorflow-gpu';
  /** The npm package holding the addon sources (installed with --ignore-scripts). */
  readonly npmPackage: string;
  readonly npmVersion: string;
  /** `pip download` requirement and the exact wheel file it yields (cp311 manylinux; the C library inside is Python-independent). */
  readonly wheelRequirement: string;
  readonly wheelFile: string;
  /** Shared libraries under `tensorflow/` in the wheel, copied to deps/lib. */
  readonly libraries: readonly string[];
  /** deps/lib link name → target: what binding.gyp links (-ltensorflow …) and the file whose presence makes tfjs-node's install script skip its download. */
  readonly links: Readonly<Record<string, string>>;
  /** Headers under `tensorflow/include/` in the wheel, copied to deps/include (the C API the addon includes). */
  readonly headers: readonly string[];
  /** The TensorFlow version TF_Version must report after the build. */
  readonly tensorflowVersion: string;
  /** Tested on this kind of machine (the GPU variant is written down, not yet run on a GPU). */
  readonly tested: boolean;
  /** anneal's own TensorFlow ops, compiled against the wheel's C++ headers (build-op-libraries.ts). */
  readonly opLibraries: readonly OpLibrarySpec[];
}

/** One op library: its name (the .so and the manifest key core's loader asks for) and its C++ source, as a module specifier. */
export interface OpLibrarySpec {
  readonly name: string;
  readonly source: string;
}

/** The fused gradient-noise op (plugins-standard's ops/internal/tensorflow-lane-noise.ts loads it). */
const OP_LIBRARIES: readonly OpLibrarySpec[] = [{ name: 'lane_noise_add', source: '@anneal/plugins-standard/native/lane_noise_add.cc' }];

const C_API_HEADERS = [
  'tensorflow/c/c_api.h',
  'tensorflow/c/c_api_macros.h',
  'tensorflow/c/eager/c_api.h',
  'tensorflow/c/tf_attrtype.h',
  'tensorflow/c/tf_buffer.h',
  'tensorflow/c/tf_datatype.h',
  'tensorflow/c/tf_status.h',
  'tensorflow/c/tf_tensor.h',
  'tensorflow/c/tf_tstring.h',
  'tensorflow/core/platform/ctstring.h',
  'tensorflow/core/platform/ctstring_internal.h',
  'tsl/platform/ctstring.h',
  'tsl/platform/ctstring_internal.h',
  'xla/tsl/c/tsl_status.h',
] as const;

const TF_VERSION = '2.21.0';
const LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'] as const;
const LINKS = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  // tfjs-node's scripts/install.js skips its libtensorflow download when this file exists.
  'libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2',
};

export const NATIVE_BUILDS: Readonly<Record<NativeBuildSpec['backend'], NativeBuildSpec>> = {
  tensorflow: {
    backend: 'tensorflow',
    npmPackage: '@tensorflow/tfjs-node',
    npmVersion: '4.22.0',
    wheelRequirement: `tensorflow-cpu==${TF_VERSION}`,
    wheelFile: `tensorflow_cpu-${TF_VERSION}-cp311-cp311-manylinux_2_27_x86_64.whl`,
    libraries: LIBRARIES,
    links: LINKS,
    headers: C_API_HEADERS,
    tensorflowVersion: TF_VERSION,
    tested: true,
    opLibraries: OP_LIBRARIES,
  },
  'tensorflow-gpu': {
    backend: 'tensorflow-gpu',
    npmPackage: '@tensorflow/tfjs-node-gpu',
    npmVersion: '4.22.0',
    // The `tensorflow` wheel carries the CUDA kernels; its CUDA/cuDNN libraries come from the nvidia-* wheels
    // (`pip install tensorflow[and-cuda]`) or the system, found through LD_LIBRARY_PATH at run time.
    wheelRequirement: `tensorflow==${TF_VERSION}`,
    wheelFile: `tensorflow-${TF_VERSION}-cp311-cp311-manylinux_2_27_x86_64.whl`,
    libraries: LIBRARIES,
    links: LINKS,
    headers: C_API_HEADERS,
    tensorflowVersion: TF_VERSION,
    tested: false,
    opLibraries: OP_LIBRARIES, // CPU kernels: TensorFlow places the op on the CPU next to the GPU step
  },
};

/** The pip flags that fetch the cp311 manylinux wheel whatever Python runs pip (only the C library is used). */
export const WHEEL_PLATFORM_FLAGS = ['--no-deps', '--only-binary=:all:', '--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311', '--platform', 'manylinux_2_27_x86_64'] as const;
