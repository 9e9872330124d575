"""NRAM (quick config) in plain TensorFlow (tf.function, no Keras layers) for `npm run bench -- --peers`
(model: nram_common.py).

The T timesteps and 14 modules are unrolled in the traced graph, as written in nram_jax.py (a module argument
is a matmul of its softmax row with the candidates computed so far; anneal: over all R + Q, the later ones 0 —
same values). Starts from anneal's initial weights; Adam through TF's fused kernel in anneal's form.
"""
import tensorflow as tf

from nram_common import MODULES, nram_config
from peer_protocol import step_config
from tf_step import global_clip, make_runner, optimizer_for


def build(meta, batches, steps, warmup):
    cfg = nram_config(meta)
    M, R, T, H, rows = cfg["M"], cfg["R"], cfg["T"], cfg["H"], cfg["rows"]
    K = R + len(MODULES)
    tables = [None if t is None else tf.constant(t) for t in cfg["tables"]]
    mask = tf.constant(cfg["mask"])
    P = {k: tf.Variable(v, name=k.replace("/", "_")) for k, v in meta["paramValues"].items()}

    def loss_fn(b):
        memory, answer = b["memory"], b["answer"]
        n = memory.shape[0]
        mem = tf.one_hot(memory, M)
        zero = tf.one_hot(tf.zeros([n], tf.int32), M)
        const = {"ZERO": zero, "ONE": tf.one_hot(tf.fill([n], 1 % M), M), "TWO": tf.one_hot(tf.fill([n], 2 % M), M)}
        regs = tf.tile(zero[:, None, :], [1, R, 1])
        h, c, running = tf.zeros([n, H]), tf.zeros([n, H]), tf.ones([n, 1])
        target = tf.one_hot(answer, M)
        nll = tf.zeros([n, 1])
        for t in range(T):
            z = tf.matmul(tf.concat([regs[:, :, 0], h], 1), P["controller/kernel"]) + P["controller/bias"]
            zi, zf, zo, zg = tf.split(z, 4, axis=1)
            c = tf.sigmoid(zf) * c + tf.sigmoid(zi) * tf.tanh(zg)
            h = tf.sigmoid(zo) * tf.tanh(c)
            w = tf.nn.softmax(tf.reshape(tf.matmul(h, P["choices/kernel"]) + (P["choices/bias"] + mask), [n, rows, K]), axis=-1)
            cands = tf.unstack(regs, axis=1)
            row = 0
            for i, (name, arity) in enumerate(MODULES):
                if arity == 0:
                    cands.append(const[name])
                    continue
                args = tf.matmul(w[:, row:row + arity, : R + i], tf.stack(cands, 1))  # [n, arity, M]
                row += arity
                a = args[:, 0]
                if name == "READ":
                    o = tf.matmul(a[:, None, :], mem)[:, 0]
                elif name == "WRITE":
                    pw = a[:, :, None]
                    mem = (1 - pw) * mem + pw * args[:, 1:2]
                    o = zero
                elif arity == 1:
                    o = tf.matmul(a, tables[i])
                else:
                    o = tf.matmul(tf.reshape(a[:, :, None] * args[:, 1:2], [n, M * M]), tables[i])
                cands.append(o)
            regs = tf.matmul(w[:, rows - R:], tf.stack(cands, 1))
            f = tf.sigmoid(tf.matmul(h, P["finish/kernel"]) + P["finish/bias"])
            pt = f * running if t < T - 1 else running
            running = running * (1 - f)
            prob = tf.reduce_sum(mem[:, cfg["out"]] * target, 1, keepdims=True)
            nll = nll - pt * tf.math.log(tf.maximum(prob, cfg["floor"]))
        return tf.reduce_mean(nll)

    sc = step_config(meta)
    variables = list(P.values())
    data = [{"memory": b["memory"], "answer": b["answer"]} for b in batches]
    return make_runner(variables, loss_fn, data, sc["lr"], global_clip(sc["clip"]), steps, warmup,
                       ["plain tf.function", "fused Adam kernel"], optimizer=optimizer_for(sc, variables), eta=sc["eta"], gamma=sc["gamma"], check=True, names=list(P.keys()), meta=meta)
