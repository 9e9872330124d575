import { boolField, bytesField, floatField, intField, message, packedFloats, packedInts, stringField, type Bytes } from './protobuf-writer.js';

/**
 * A recorded TensorFlow graph as a SavedModel file (`saved_model.pb`), the form tfjs-node's binding can load
 * into a TF_Session. Field numbers are those of tensorflow/core/protobuf/{saved_model,meta_graph}.proto and
 * tensorflow/core/framework/{graph,node_def,attr_value,tensor,tensor_shape,versions}.proto.
 */

/** An op attribute as tfjs-node passes it to TFE_OpSetAttr*: `type` is the binding's TF_ATTR_* code. */
export interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

/** The binding's TF_ATTR_* codes (tfjs-node 4.22: STRING 0, INT 1, FLOAT 2, BOOL 3, TYPE 4, SHAPE 5). */
export const ATTR = { STRING: 0, INT: 1, FLOAT: 2, BOOL: 3, TYPE: 4, SHAPE: 5 } as const;

/** TensorFlow DataType codes used here (DT_FLOAT 1, DT_INT32 3, DT_BOOL 10). */
export const DT = { FLOAT: 1, INT32: 3, BOOL: 10 } as const;

export type AttrValue =
  | { readonly kind: 'op'; readonly attr: OpAttr }
  | { readonly kind: 'tensor'; readonly dtype: number; readonly shape: readonly number[]; readonly content: Bytes };

export interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly attrs: ReadonlyArray<readonly [string, AttrValue]>;
}

function shapeProto(dims: readonly number[]): Bytes {
  return message(...dims.map((d) => bytesField(2, intField(1, d))));
}

function opAttrValue(a: OpAttr): Bytes {
  const v = a.value;
  if (a.type === ATTR.SHAPE) return bytesField(7, shapeProto(v as number[]));
  if (Array.isArray(v)) {
    const list =
      a.type === ATTR.INT ? packedInts(3, v as number[])
      : a.type === ATTR.FLOAT ? packedFloats(4, v as number[])
      : a.type === ATTR.BOOL ? packedInts(5, (v as boolean[]).map(Number))
      : a.type === ATTR.TYPE ? packedInts(6, v as number[])
      : a.type === ATTR.STRING ? message(...(v as string[]).map((s) => stringField(2, s)))
      : unsupported(a);
    return bytesField(1, list);
  }
  if (a.type === ATTR.STRING) return stringField(2, String(v));
  if (a.type === ATTR.INT) return intField(3, v as number);
  if (a.type === ATTR.FLOAT) return floatField(4, v as number);
  if (a.type === ATTR.BOOL) return boolField(5, v as boolean);
  if (a.type === ATTR.TYPE) return intField(6, v as number);
  return unsupported(a);
}

function unsupported(a: OpAttr): never {
  throw new Error(`graph capture: op attribute '${a.name}' has an unsupported type code ${a.type}`);
}

function attrValue(v: AttrValue): Bytes {
  if (v.kind === 'op') return opAttrValue(v.attr);
  return bytesField(8, message(intField(1, v.dtype), bytesField(2, shapeProto(v.shape)), bytesField(4, v.content)));
}

function nodeDef(n: GraphNode): Bytes {
  return message(
    stringField(1, n.name),
    stringField(2, n.op),
    ...n.inputs.map((i) => stringField(3, i)),
    ...n.attrs.map(([k, v]) => bytesField(5, message(stringField(1, k), bytesField(2, attrValue(v))))),
  );
}

/** GraphDef producer version (any version TensorFlow 2.x accepts; attributes left out take their defaults). */
const PRODUCER = 1882;

/** `saved_model.pb` bytes of one meta graph tagged `tag`, holding `nodes` (no variables, no signatures). */
export function savedModelBytes(nodes: readonly GraphNode[], tag: string): Bytes {
  const graphDef = message(...nodes.map((n) => bytesField(1, nodeDef(n))), bytesField(4, intField(1, PRODUCER)));
  const metaInfo = stringField(4, tag);
  const metaGraph = message(bytesField(1, metaInfo), bytesField(2, graphDef));
  return message(intField(1, 1), bytesField(2, metaGraph));
}
