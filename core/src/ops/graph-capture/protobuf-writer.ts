/**
 * The few protocol-buffer wire forms a TensorFlow SavedModel needs, written by hand (no protobuf runtime):
 * varint fields (wire type 0), 32-bit floats (5) and length-delimited bytes, strings and sub-messages (2).
 * A message is built as a list of encoded fields; `message()` concatenates them.
 */
export type Bytes = Uint8Array;

const encoder = new TextEncoder();

function varint(value: number): number[] {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`protobuf varint: ${value} is not a non-negative integer`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** A signed int64 field value: negative numbers are ten-byte two's complement varints. */
function int64(value: number): number[] {
  if (value >= 0) return varint(value);
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const key = (field: number, wireType: number) => varint(field * 8 + wireType);

export function intField(field: number, value: number): Bytes {
  return Uint8Array.from([...key(field, 0), ...int64(value)]);
}

export function boolField(field: number, value: boolean): Bytes {
  return intField(field, value ? 1 : 0);
}

export function floatField(field: number, value: number): Bytes {
  const b = new Uint8Array(5);
  b[0] = field * 8 + 5;
  new DataView(b.buffer).setFloat32(1, value, true);
  return b;
}

export function bytesField(field: number, value: Bytes): Bytes {
  const head = [...key(field, 2), ...varint(value.length)];
  const out = new Uint8Array(head.length + value.length);
  out.set(head);
  out.set(value, head.length);
  return out;
}

export function stringField(field: number, value: string): Bytes {
  return bytesField(field, encoder.encode(value));
}

/** A packed repeated varint field (proto3's default for repeated scalars). */
export function packedInts(field: number, values: readonly number[]): Bytes {
  return bytesField(field, Uint8Array.from(values.flatMap(int64)));
}

export function packedFloats(field: number, values: readonly number[]): Bytes {
  const b = new Uint8Array(4 * values.length);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return bytesField(field, b);
}

export function message(...fields: Bytes[]): Bytes {
  const out = new Uint8Array(fields.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of fields) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}
