"""JAX + optax contestant of `npm run bench -- --peers` (protocol: peer_protocol.py).

Same step as anneal's trainer, as one jitted function (buffers donated): loss and gradients
(jax.value_and_grad), optax.chain(clip, optax.add_noise(eta, gamma) — the paper's annealed Gaussian
noise, variance eta/(1+t)^gamma — , optax.sgd(lr)), loss read back to the host each step.
Clip: optax.clip_by_global_norm (MLP, PTB), or per tensor g * c / max(|g|, c) (MemN2N), as anneal.
Every model starts from anneal's exported initial weights (by anneal's parameter names) and reports the correctness
check of peer_protocol.py (loss, gradient norms, the parameters after one noise-free step); the learning rate,
clip and η, γ come from the recipe (peer_protocol.step_config).
Differences from anneal, stated in the printed table too:
  - MemN2N: the embedding bags are gathers + sums (anneal's are hand-written loops that skip nil words).
  - PTB: the LSTM is a lax.scan over the window; the state is carried from window to window (truncated BPTT), as
    anneal carries it within an epoch, batch 0 from 0 (the check too). No dropout: the benchmark recipe has none.
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

from jax_step import clip_for, make_runner, optimizer_for
import ngpu_jax
import nram_jax
import np_jax
from peer_protocol import serve, step_config


def version_note():
    return f"jax {jax.__version__} + optax {optax.__version__}, {os.cpu_count()} cores"


def mlp(meta, batches, steps, warmup):
    params = {k: jnp.asarray(v) for k, v in meta["paramValues"].items()}
    layers = [(n, n[: -len("kernel")] + "bias") for n in params if n.endswith("/kernel")]  # dense00 … output, [in, out]

    def loss_fn(p, b):
        h = b["x"]
        for w, c in layers[:-1]:
            h = jax.nn.relu(h @ p[w] + p[c])
        w, c = layers[-1]
        logp = jax.nn.log_softmax(h @ p[w] + p[c])
        return -jnp.mean(jnp.take_along_axis(logp, b["y"][:, None], axis=1))

    sc = step_config(meta)
    data = [{"x": b["x"], "y": b["y"]} for b in batches]
    return make_runner(params, loss_fn, data, sc["lr"], clip_for(sc), steps, warmup, [], optimizer=optimizer_for(sc),
                       eta=sc["eta"], gamma=sc["gamma"], check=True, meta=meta, clip_at=lambda c: clip_for(sc, c))


def memn2n(meta, batches, steps, warmup):
    info, d = meta["info"], meta["describe"]
    J, K, D, nil = info["sentenceSize"], d["hops"], d["embeddingDim"], info.get("nilIndex", 0)
    params = {k: jnp.asarray(v) for k, v in meta["paramValues"].items()}  # embed/A1 (= B), embed/C1 … embed/C<K> (= W^T)
    names = list(params)
    V = params[names[0]].shape[0]
    j = np.arange(1, J + 1, dtype=np.float32)[:, None]
    k = np.arange(1, D + 1, dtype=np.float32)[None, :]
    pe = jnp.asarray(1 + 4 * (k - (D + 1) / 2) * (j - (J + 1) / 2) / (D * J))
    keep = jnp.ones((V, 1)).at[nil].set(0.0)

    def loss_fn(p, b):
        Tm = [p[n] - jax.lax.stop_gradient(p[n] * (1 - keep)) for n in names]  # nil row read as 0, gradient straight through
        E = [(T[b["stories"]] * pe).sum(2) for T in Tm]
        u = (Tm[0][b["queries"]] * pe).sum(1)
        for hop in range(1, K + 1):
            w = jax.nn.softmax(jnp.einsum("bmd,bd->bm", E[hop - 1], u), axis=1)
            u = u + jnp.einsum("bm,bmd->bd", w, E[hop])
        logp = jax.nn.log_softmax(u @ Tm[K].T)
        return -jnp.sum(jnp.take_along_axis(logp, b["answers"][:, None], axis=1))

    sc = step_config(meta)
    data = [{"stories": b["stories"], "queries": b["queries"], "answers": b["answers"]} for b in batches]
    return make_runner(params, loss_fn, data, sc["lr"], clip_for(sc), steps, warmup, ["embedding bags as gather + sum"],
                       optimizer=optimizer_for(sc), eta=sc["eta"], gamma=sc["gamma"], check=True, meta=meta, clip_at=lambda c: clip_for(sc, c))


def ptb(meta, batches, steps, warmup):
    d = meta["describe"]
    H, L = d["hiddenSize"], d["layers"]
    params = {k: jnp.asarray(v) for k, v in meta["paramValues"].items()}  # embedding, lstm/<l>/{Wx, Wh, b}, softmax/{W, b}
    B = batches[0]["x"].shape[0]

    def loss_fn(p, b, carry):
        x, y = b["x"], b["y"]
        seq = p["embedding"][x]  # [B, T, E]
        new = []
        for l in range(1, L + 1):
            xin = seq @ p[f"lstm/{l}/Wx"] + p[f"lstm/{l}/b"]  # all steps' input projections at once

            def cell(hc, z_in, Wh=p[f"lstm/{l}/Wh"]):
                h, c = hc
                i, f, g, o = jnp.split(z_in + h @ Wh, 4, axis=1)
                c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
                h = jax.nn.sigmoid(o) * jnp.tanh(c)
                return (h, c), h

            (h, c), hs = jax.lax.scan(cell, carry[l - 1], jnp.swapaxes(xin, 0, 1))
            new.append((h, c))
            seq = jnp.swapaxes(hs, 0, 1)
        logp = jax.nn.log_softmax(seq.reshape(-1, H) @ p["softmax/W"] + p["softmax/b"])
        nll = -jnp.sum(jnp.take_along_axis(logp, y.reshape(-1, 1), axis=1))
        return nll / B, jax.lax.stop_gradient(new)

    carry = [(jnp.zeros((B, H)), jnp.zeros((B, H))) for _ in range(L)]  # carried from window to window; batch 0 from 0
    sc = step_config(meta)
    data = [{"x": b["x"], "y": b["y"]} for b in batches]
    return make_runner(params, loss_fn, data, sc["lr"], clip_for(sc), steps, warmup, ["lax.scan LSTM"], carry=carry,
                       optimizer=optimizer_for(sc), eta=sc["eta"], gamma=sc["gamma"], check=True, meta=meta, clip_at=lambda c: clip_for(sc, c))


if __name__ == "__main__":
    serve("jax", f"jax {jax.__version__} + optax {optax.__version__} (CPU)", {"mlp": mlp, "memn2n": memn2n, "ptb": ptb, "ngpu": ngpu_jax.build, "nram": nram_jax.build, "np": np_jax.build})
