import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { opSourceSha256 } from './tensorflow-op-library.js';

const sha = (...parts: string[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');

test('opSourceSha256: the source and the headers it includes from beside it, each once, in order of first include', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'anneal-opsha-'));
  try {
    const file = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
    const op = '#include <vector>\n#include "a.h"\n  #  include "b.h"\n#include "tensorflow/core/framework/op.h"\nint main;\n';
    file('op.cc', op);
    file('a.h', '#pragma once\n#include "b.h"\nint a;\n');
    file('b.h', '#pragma once\nint b;\n');
    file('unrelated.h', 'int c;\n');
    // op.cc, then a.h, then b.h (first included by a.h, again by op.cc); <vector> and the missing TF path are not files here.
    const want = sha('op.cc\n', op, 'a.h\n', '#pragma once\n#include "b.h"\nint a;\n', 'b.h\n', '#pragma once\nint b;\n');
    t.is(opSourceSha256(path.join(dir, 'op.cc')), want);
    file('unrelated.h', 'int c = 1;\n');
    t.is(opSourceSha256(path.join(dir, 'op.cc')), want, 'a header nothing includes does not count');
    file('b.h', '#pragma once\nint b = 2;\n');
    t.not(opSourceSha256(path.join(dir, 'op.cc')), want, 'a header included by a header counts');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
