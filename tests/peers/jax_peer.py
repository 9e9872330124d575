"""JAX + optax contestant of `npm run bench -- --peers` (protocol: peer_protocol.py).

Same step as anneal's trainer, as one jitted function (buffers donated): loss and gradients
(jax.value_and_grad), optax.chain(clip, optax.add_noise(eta, gamma) — the paper's annealed Gaussian
noise, variance eta/(1+t)^gamma — , optax.sgd(lr)), loss read back to the host each step.
Clip: optax.clip_by_global_norm (MLP, PTB), or per tensor g * c / max(|g|, c) (MemN2N), as anneal.
Differences from anneal, stated in the printed table too:
  - MemN2N: the embedding bags are gathers + sums (anneal's are hand-written loops that skip nil words).
  - The noise comes from JAX's threefry PRNG (anneal: its own generator); same distribution.
Threads: XLA's default unless ANNEAL_PEER_THREADS=1 (then single-threaded Eigen).
The Neural GPU, NRAM and Neural Programmer peers (quick configs) are ngpu_jax.py, nram_jax.py, np_jax.py
(Adam; they start from anneal's exported initial weights and report the correctness check of peer_protocol.py);
the shared step is jax_step.py.
"""
import os

if os.environ.get("ANNEAL_PEER_THREADS") == "1":
    os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jax_step import clip_per_tensor, make_runner
import ngpu_jax
import nram_jax
import np_jax
from peer_protocol import serve


def version_note():
    return f"jax {jax.__version__} + optax {optax.__version__}, {os.cpu_count()} cores"


def mlp(meta, batches, steps, warmup):
    d = meta["describe"]
    sizes = [d["inputSize"]] + [d["width"]] * d["depth"] + [d["numClasses"]]
    keys = jax.random.split(jax.random.key(1), len(sizes))
    params = [(jax.random.normal(keys[i], (sizes[i], sizes[i + 1])) * np.sqrt(2.0 / sizes[i]), jnp.zeros(sizes[i + 1])) for i in range(len(sizes) - 1)]

    def loss_fn(params, b):
        h = b["x"]
        for w, c in params[:-1]:
            h = jax.nn.relu(h @ w + c)
        w, c = params[-1]
        logp = jax.nn.log_softmax(h @ w + c)
        return -jnp.mean(jnp.take_along_axis(logp, b["y"][:, None], axis=1))

    data = [{"x": b["x"], "y": b["y"]} for b in batches]
    return make_runner(params, loss_fn, data, 0.01, optax.clip_by_global_norm(10.0), steps, warmup, [])


def memn2n(meta, batches, steps, warmup):
    info, d = meta["info"], meta["describe"]
    V, J, K, D, nil = info["vocabSize"], info["sentenceSize"], d["hops"], d["embeddingDim"], info.get("nilIndex", 0)
    keys = jax.random.split(jax.random.key(1), K + 1)
    Ts = [(jax.random.normal(k, (V, D)) * 0.1).at[nil].set(0.0) for k in keys]
    j = np.arange(1, J + 1, dtype=np.float32)[:, None]
    k = np.arange(1, D + 1, dtype=np.float32)[None, :]
    pe = jnp.asarray(1 + 4 * (k - (D + 1) / 2) * (j - (J + 1) / 2) / (D * J))
    keep = jnp.ones((V, 1)).at[nil].set(0.0)

    def loss_fn(Ts, b):
        Tm = [T - jax.lax.stop_gradient(T * (1 - keep)) for T in Ts]  # nil row read as 0, gradient straight through
        E = [(T[b["stories"]] * pe).sum(2) for T in Tm]
        u = (Tm[0][b["queries"]] * pe).sum(1)
        for hop in range(1, K + 1):
            p = jax.nn.softmax(jnp.einsum("bmd,bd->bm", E[hop - 1], u), axis=1)
            u = u + jnp.einsum("bm,bmd->bd", p, E[hop])
        logp = jax.nn.log_softmax(u @ Tm[K].T)
        return -jnp.sum(jnp.take_along_axis(logp, b["answers"][:, None], axis=1))

    data = [{"stories": b["stories"], "queries": b["queries"], "answers": b["answers"]} for b in batches]
    return make_runner(Ts, loss_fn, data, 0.01, clip_per_tensor(40.0), steps, warmup, ["embedding bags as gather + sum"])


def ptb(meta, batches, steps, warmup):
    d, info = meta["describe"], meta["info"]
    V, H, E, L, s = info["vocabSize"], d["hiddenSize"], d["embeddingSize"], d["layers"], d["initScale"]
    keys = iter(jax.random.split(jax.random.key(1), 3 * L + 3))
    u = lambda shape: jax.random.uniform(next(keys), shape, minval=-s, maxval=s)
    params = {"embedding": u((V, E)), "softmax_W": u((H, V)), "softmax_b": u((V,)),
              "lstm": [{"Wx": u((E if l == 0 else H, 4 * H)), "Wh": u((H, 4 * H)), "b": u((4 * H,))} for l in range(L)]}
    B = batches[0]["x"].shape[0]

    def loss_fn(p, b, carry):
        x, y = b["x"], b["y"]
        seq = p["embedding"][x]  # [B, T, E]
        new = []
        for l, layer in enumerate(p["lstm"]):
            xin = seq @ layer["Wx"] + layer["b"]  # all steps' input projections at once

            def cell(hc, z_in, Wh=layer["Wh"]):
                h, c = hc
                i, f, g, o = jnp.split(z_in + h @ Wh, 4, axis=1)
                c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
                h = jax.nn.sigmoid(o) * jnp.tanh(c)
                return (h, c), h

            (h, c), hs = jax.lax.scan(cell, carry[l], jnp.swapaxes(xin, 0, 1))
            new.append((h, c))
            seq = jnp.swapaxes(hs, 0, 1)
        logp = jax.nn.log_softmax(seq.reshape(-1, H) @ p["softmax_W"] + p["softmax_b"])
        nll = -jnp.sum(jnp.take_along_axis(logp, y.reshape(-1, 1), axis=1))
        return nll / B, jax.lax.stop_gradient(new)

    carry = [(jnp.zeros((B, H)), jnp.zeros((B, H))) for _ in range(L)]
    data = [{"x": b["x"], "y": b["y"]} for b in batches]
    return make_runner(params, loss_fn, data, 1.0, optax.clip_by_global_norm(5.0), steps, warmup, ["lax.scan LSTM"], carry=carry)


if __name__ == "__main__":
    serve("jax", f"jax {jax.__version__} + optax {optax.__version__} (CPU)", {"mlp": mlp, "memn2n": memn2n, "ptb": ptb, "ngpu": ngpu_jax.build, "nram": nram_jax.build, "np": np_jax.build})
