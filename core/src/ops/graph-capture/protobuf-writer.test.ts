import test from 'ava';
import { bytesField, floatField, intField, message, packedInts, stringField } from './protobuf-writer.js';

// Expected bytes worked out by hand from the protobuf wire format (key = field·8 + wire type, base-128 varints).
test('varint fields: 1 → 08 01, 300 → 08 AC 02, −1 → ten-byte two’s complement', (t) => {
  t.deepEqual([...intField(1, 1)], [0x08, 0x01]);
  t.deepEqual([...intField(1, 300)], [0x08, 0xac, 0x02]);
  t.deepEqual([...intField(3, -1)], [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  t.deepEqual([...intField(16, 2)], [0x80, 0x01, 0x02], 'field 16 needs a two-byte key');
});

test('length-delimited, float and packed fields', (t) => {
  t.deepEqual([...stringField(2, 'Add')], [0x12, 0x03, 0x41, 0x64, 0x64]);
  t.deepEqual([...floatField(4, 1)], [0x25, 0x00, 0x00, 0x80, 0x3f]);
  t.deepEqual([...packedInts(3, [1, 150])], [0x1a, 0x03, 0x01, 0x96, 0x01]);
  t.deepEqual([...message(intField(1, 1), bytesField(2, intField(1, 5)))], [0x08, 0x01, 0x12, 0x02, 0x08, 0x05]);
  t.throws(() => intField(1, 1.5), { instanceOf: RangeError });
});
