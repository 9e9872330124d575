// SHA-256 of Mikolov's PTB files (simple-examples/data), as in the project's reference SHA256SUMS. Metadata only.
export const PTB_SHA256: Readonly<Record<string, string>> = Object.freeze({
  'ptb.test.txt': 'dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0',
  'ptb.train.txt': 'fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf',
  'ptb.valid.txt': 'c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2',
});

export { parseSha256Sums } from '@anneal/core';
