"""Neural Programmer (quick config) in plain TensorFlow (tf.function, no Keras layers) for
`npm run bench -- --peers` (model: np_common.py).

The question RNN and the T steps are unrolled in the traced graph, as written in np_jax.py; embeddings by
tf.gather (anneal: one-hot matMuls; same values), their gradients made dense before the noise. Starts from
anneal's initial weights; Adam through TF's fused kernel in anneal's form.
"""
import tensorflow as tf

from np_common import NEG, OP, np_batch, np_config
from peer_protocol import step_config
from tf_step import global_clip, make_runner, optimizer_for


def masked_softmax(logits, mask):
    return tf.nn.softmax(logits + (1 - mask) * NEG, axis=-1) * mask


def hard(x):
    return tf.stop_gradient(tf.cast(x > 0, tf.float32))


def build(meta, batches, steps, warmup):
    cfg = np_config(meta)
    T, lam, delta = cfg["steps"], cfg["lambda"], cfg["delta"]
    col_words = tf.constant(cfg["columnWords"], tf.int32)
    p = {k: tf.Variable(v, name=k.replace("/", "_")) for k, v in meta["paramValues"].items()}

    def loss_fn(b):
        words, word_mask, table, row_mask, col_mask = b["words"], b["wordMask"], b["table"], b["rowMask"], b["columnMask"]
        B, L = words.shape
        U = p["ops/embedding"]
        d = U.shape[1]
        emb = tf.gather(p["embed/words"], words)
        z, states = tf.zeros([B, d]), []
        for i in range(L):
            m = word_mask[:, i:i + 1]
            z = m * tf.tanh(tf.matmul(tf.concat([z, emb[:, i]], 1), p["question/forward"])) + (1 - m) * z
            states.append(z)
        q, zs = z, tf.stack(states, 1)
        left = tf.matmul(tf.one_hot(b["numberPos"], L), zs)
        pivot = lambda op: tf.reduce_sum(masked_softmax(tf.linalg.matvec(left, U[op]), b["numberMask"]) * b["numbers"], 1)
        cells = row_mask[:, :, None]
        g = hard(table - pivot(OP["greater"])[:, None, None]) * cells
        l = hard(pivot(OP["lesser"])[:, None, None] - table) * cells
        P = tf.gather(p["embed/words"], col_words)
        h, c = tf.zeros([B, d]), tf.zeros([B, 2 * d])
        rs, sc = [row_mask, row_mask], [tf.zeros([B])] * 3
        op_mask = tf.ones([B, U.shape[0]])
        for _ in range(T):
            h = tf.tanh(tf.matmul(tf.concat([c, h], 1), p["history/W"]))
            qh = tf.concat([q, h], 1)
            a_op = masked_softmax(tf.matmul(tf.tanh(tf.matmul(qh, p["selector/op"])), U, transpose_b=True), op_mask)
            a_col = masked_softmax(tf.matmul(tf.tanh(tf.matmul(qh, p["selector/column"])), P, transpose_b=True), col_mask)
            c = tf.concat([tf.matmul(a_op, U), tf.matmul(a_col, P)], 1)
            rs1, rs2 = rs[-1], rs[-2]
            a = lambda op: a_op[:, OP[op]]
            a2 = lambda op: a_op[:, OP[op]:OP[op] + 1]
            sums = tf.matmul(rs1[:, None, :], table)[:, 0]
            scalar = a("count") * tf.reduce_sum(rs1 * row_mask, 1) + a("diff") * (sc[-3] - sc[-1]) + a("sum") * tf.reduce_sum(a_col * sums, 1)
            lookup = (a_col * a2("assign"))[:, None, :] * (rs1 * row_mask)[:, :, None]
            pick = lambda x: tf.linalg.matvec(x, a_col)
            parts = (a2("and") * tf.where(rs1 <= rs2, rs1, rs2) + a2("or") * tf.where(rs1 >= rs2, rs1, rs2) + a2("reset") * row_mask
                     + a2("greater") * pick(g) + a2("lesser") * pick(l))
            rs.append(parts * row_mask)
            sc.append(scalar)
        err = tf.abs(sc[-1] - b["scalarAnswer"])
        m = tf.where(err <= delta, err, delta)
        huber = 0.5 * m * m + delta * (err - m)
        cell_mask = row_mask[:, :, None] * col_mask[:, None, :]
        pc = tf.clip_by_value(lookup, 1e-7, 1 - 1e-7)  # TF's clip passes the gradient at the bounds, as tfjs
        y = b["lookupAnswer"]
        bce = -(y * tf.math.log(pc) + (1 - y) * tf.math.log(1 - pc))
        ll = lam * tf.reduce_sum(bce * cell_mask, [1, 2]) / tf.maximum(tf.reduce_sum(cell_mask, [1, 2]), 1.0)
        s = b["isScalar"]
        return tf.reduce_mean(s * huber + (1 - s) * ll)

    sc = step_config(meta)
    variables = list(p.values())
    data = [np_batch(b) for b in batches]
    return make_runner(variables, loss_fn, data, sc["lr"], global_clip(sc["clip"]), steps, warmup,
                       ["plain tf.function", "embedding gradients made dense", "fused Adam kernel"],
                       optimizer=optimizer_for(sc, variables), eta=sc["eta"], gamma=sc["gamma"], check=True, names=list(p.keys()), meta=meta)
