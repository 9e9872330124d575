/** The slots of the shared Int32 control words between the noise prefetcher and its thread. */
export const REQUEST = { done: 0, status: 1, seq: 2, n: 3, length: 4 } as const;
/** The slots of the shared Float64 words: the key (any integer a caller passes, e.g. a uint32 seed) and σ. */
export const REQUEST_VALUES = { key: 0, std: 1, length: 2 } as const;

/** What the thread posts back for one request. */
export interface PrefetchReply {
  readonly seq: number;
  readonly n: number;
  readonly key: number;
  readonly std: number;
  readonly buffer: ArrayBuffer;
}
