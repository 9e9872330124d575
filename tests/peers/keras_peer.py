"""TensorFlow / Keras contestant of `npm run bench -- --peers` (protocol: peer_protocol.py).

Same step as anneal's trainer, as one tf.function (no XLA: jit_compile was slower here): the loss
under tf.GradientTape, tf.clip_by_global_norm (MLP, PTB) or tf.clip_by_norm per tensor (MemN2N) —
anneal's formula g * c / max(|g|, c) —, annealed Gaussian noise N(0, eta/(1+t)^gamma) from
tf.random.normal on every (dense) gradient entry, keras.optimizers.SGD, loss read back each step.
Models: Keras 3 layers (Dense, Embedding, LSTM) for the MLP and the PTB LSTM; MemN2N in raw TF ops.
Every model starts from anneal's exported initial weights (set into the Keras layers, whose layouts are anneal's)
and reports the correctness check of peer_protocol.py (loss, gradient norms, the parameters after one noise-free
step); the learning rate, clip and η, γ come from the recipe (peer_protocol.step_config).
Differences from anneal, stated in the printed table too:
  - PTB: keras.layers.LSTM (TF's generic RNN loop on the CPU; its gate order i, f, c, o is anneal's i, f, g, o);
    the embedding's IndexedSlices gradient is made dense before the noise (the noise goes on every entry, as in
    anneal). The state is carried from window to window (truncated BPTT), as anneal carries it within an epoch,
    batch 0 from 0 (the check too). No dropout: the benchmark recipe has none.
  - MemN2N: the embedding bags are gathers + sums (anneal's are hand-written loops that skip nil words).
Threads: TensorFlow's default unless ANNEAL_PEER_THREADS is set.
The Neural GPU, NRAM and Neural Programmer peers (quick configs) are ngpu_tf.py, nram_tf.py, np_tf.py
(Adam; they start from anneal's exported initial weights and report the correctness check of peer_protocol.py);
the shared step is tf_step.py.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
import keras

from peer_protocol import serve, step_config
from tf_step import clip_for, make_runner, optimizer_for
import ngpu_tf
import nram_tf
import np_tf

if os.environ.get("ANNEAL_PEER_THREADS"):
    n = int(os.environ["ANNEAL_PEER_THREADS"])
    tf.config.threading.set_intra_op_parallelism_threads(n)
    tf.config.threading.set_inter_op_parallelism_threads(n)
tf.random.set_seed(1)
keras.utils.set_random_seed(1)


def version_note():
    return f"tensorflow {tf.__version__} + keras {keras.__version__}, tf.function"


def mlp(meta, batches, steps, warmup):
    d, w = meta["describe"], meta["paramValues"]
    kernels = [n for n in w if n.endswith("/kernel")]  # dense00 … output, [in, out] as Keras' Dense
    model = keras.Sequential([keras.Input((d["inputSize"],))]
                             + [keras.layers.Dense(d["width"], activation="relu") for _ in range(d["depth"])]
                             + [keras.layers.Dense(d["numClasses"])])
    names = []
    for layer, k in zip(model.layers, kernels):
        b = k[: -len("kernel")] + "bias"
        layer.set_weights([w[k], w[b]])
        names += [k, b]
    assert [tuple(v.shape) for v in model.trainable_variables] == [w[n].shape for n in names]

    def loss_fn(b):
        logits = model(b["x"], training=True)
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=b["y"], logits=logits))

    sc = step_config(meta)
    variables = model.trainable_variables
    data = [{"x": b["x"], "y": b["y"]} for b in batches]
    return make_runner(variables, loss_fn, data, sc["lr"], clip_for(sc), steps, warmup, ["keras Dense layers"], optimizer=optimizer_for(sc, variables),
                       eta=sc["eta"], gamma=sc["gamma"], check=True, names=names, meta=meta, clip_at=lambda c: clip_for(sc, c))


def memn2n(meta, batches, steps, warmup):
    info, d = meta["info"], meta["describe"]
    J, K, D, nil = info["sentenceSize"], d["hops"], d["embeddingDim"], info.get("nilIndex", 0)
    names = list(meta["paramValues"])  # embed/A1 (= B), embed/C1 … embed/C<K> (= W^T)
    Ts = [tf.Variable(meta["paramValues"][n], name=n.replace("/", "_")) for n in names]
    V = Ts[0].shape[0]
    j = np.arange(1, J + 1, dtype=np.float32)[:, None]
    k = np.arange(1, D + 1, dtype=np.float32)[None, :]
    pe = tf.constant(1 + 4 * (k - (D + 1) / 2) * (j - (J + 1) / 2) / (D * J))
    keep_np = np.ones((V, 1), np.float32)
    keep_np[nil] = 0
    keep = tf.constant(keep_np)

    def loss_fn(b):
        Tm = [T - tf.stop_gradient(T * (1 - keep)) for T in Ts]  # nil row read as 0, gradient straight through
        E = [tf.reduce_sum(tf.gather(T, b["stories"]) * pe, 2) for T in Tm]
        u = tf.reduce_sum(tf.gather(Tm[0], b["queries"]) * pe, 1)
        for hop in range(1, K + 1):
            p = tf.nn.softmax(tf.einsum("bmd,bd->bm", E[hop - 1], u), axis=1)
            u = u + tf.einsum("bm,bmd->bd", p, E[hop])
        logits = tf.matmul(u, Tm[K], transpose_b=True)
        return tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=b["answers"], logits=logits))

    sc = step_config(meta)
    data = [{"stories": b["stories"], "queries": b["queries"], "answers": b["answers"]} for b in batches]
    return make_runner(Ts, loss_fn, data, sc["lr"], clip_for(sc), steps, warmup, ["embedding bags as gather + sum"], optimizer=optimizer_for(sc, Ts),
                       eta=sc["eta"], gamma=sc["gamma"], check=True, names=names, meta=meta, clip_at=lambda c: clip_for(sc, c))


def ptb(meta, batches, steps, warmup):
    d, info, w = meta["describe"], meta["info"], meta["paramValues"]
    V, H, E, L = info["vocabSize"], d["hiddenSize"], d["embeddingSize"], d["layers"]
    emb = keras.layers.Embedding(V, E)
    lstms = [keras.layers.LSTM(H, return_sequences=True, return_state=True, unit_forget_bias=False) for _ in range(L)]
    out = keras.layers.Dense(V)
    B, T = batches[0]["x"].shape
    x0 = emb(tf.zeros((B, T), tf.int32))
    for layer in lstms:
        x0, _, _ = layer(x0)
    out(tf.reshape(x0, [-1, H]))
    # anneal's weights: Keras' LSTM has anneal's layout (kernel [in, 4H] = Wx, recurrent_kernel = Wh, one bias; gates i, f, c, o)
    emb.set_weights([w["embedding"]])
    names = ["embedding"]
    for l, layer in enumerate(lstms, start=1):
        layer.set_weights([w[f"lstm/{l}/Wx"], w[f"lstm/{l}/Wh"], w[f"lstm/{l}/b"]])
        names += [f"lstm/{l}/Wx", f"lstm/{l}/Wh", f"lstm/{l}/b"]
    out.set_weights([w["softmax/W"], w["softmax/b"]])
    names += ["softmax/W", "softmax/b"]
    variables = emb.trainable_variables + [v for layer in lstms for v in layer.trainable_variables] + out.trainable_variables
    assert [tuple(v.shape) for v in variables] == [w[n].shape for n in names]
    carry = [tf.Variable(tf.zeros((B, H)), trainable=False) for _ in range(2 * L)]  # carried from window to window; batch 0 from 0

    def loss_fn(b, state):
        seq = emb(b["x"])
        new = []
        for l, layer in enumerate(lstms):
            seq, h, c = layer(seq, initial_state=[state[2 * l], state[2 * l + 1]])
            new += [h, c]
        logits = out(tf.reshape(seq, [-1, H]))
        nll = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.reshape(b["y"], [-1]), logits=logits))
        return nll / B, new

    sc = step_config(meta)
    data = [{"x": b["x"], "y": b["y"]} for b in batches]
    return make_runner(variables, loss_fn, data, sc["lr"], clip_for(sc), steps, warmup, ["keras.layers.LSTM, embedding gradient made dense"], carry=carry,
                       optimizer=optimizer_for(sc, variables), eta=sc["eta"], gamma=sc["gamma"], check=True, names=names, meta=meta, clip_at=lambda c: clip_for(sc, c))


if __name__ == "__main__":
    serve("keras", f"tensorflow {tf.__version__} + keras {keras.__version__} (CPU)", {"mlp": mlp, "memn2n": memn2n, "ptb": ptb, "ngpu": ngpu_tf.build, "nram": nram_tf.build, "np": np_tf.build})
