"""NRAM (quick config) in JAX + optax for `npm run bench -- --peers` (model: nram_common.py).

The T timesteps and 14 modules are unrolled in the trace; a module argument is an einsum of its softmax
row with the candidates computed so far (anneal: a selector matMul over all R + Q candidates, the later
ones 0 — the masked weights are exactly 0, so the same values). Starts from anneal's initial weights; one
jitted step with optax.chain(clip_by_global_norm, add_noise, adam).
"""
import jax
import jax.numpy as jnp
import optax

from jax_step import make_runner, optimizer_for
from nram_common import MODULES, nram_config
from peer_protocol import step_config


def build(meta, batches, steps, warmup):
    cfg = nram_config(meta)
    M, R, T, H, rows = cfg["M"], cfg["R"], cfg["T"], cfg["H"], cfg["rows"]
    K = R + len(MODULES)
    tables = [None if t is None else jnp.asarray(t) for t in cfg["tables"]]
    mask = jnp.asarray(cfg["mask"])
    params = {k: jnp.asarray(v) for k, v in meta["paramValues"].items()}

    def loss_fn(p, b):
        memory, answer = b["memory"], b["answer"]
        n = memory.shape[0]
        mem = jax.nn.one_hot(memory, M)  # [n, M, M]
        const = {"ZERO": jax.nn.one_hot(jnp.zeros(n, jnp.int32), M), "ONE": jax.nn.one_hot(jnp.full(n, 1 % M), M), "TWO": jax.nn.one_hot(jnp.full(n, 2 % M), M)}
        regs = [const["ZERO"]] * R
        h, c, running = jnp.zeros((n, H)), jnp.zeros((n, H)), jnp.ones((n, 1))
        target = jax.nn.one_hot(answer, M)
        nll = jnp.zeros((n, 1))
        for t in range(T):
            x = jnp.stack([r[:, 0] for r in regs], 1)  # P(r_j = 0)
            zi, zf, zo, zg = jnp.split(jnp.concatenate([x, h], 1) @ p["controller/kernel"] + p["controller/bias"], 4, axis=1)
            c = jax.nn.sigmoid(zf) * c + jax.nn.sigmoid(zi) * jnp.tanh(zg)
            h = jax.nn.sigmoid(zo) * jnp.tanh(c)
            w = jax.nn.softmax((h @ p["choices/kernel"] + (p["choices/bias"] + mask)).reshape(n, rows, K), axis=-1)
            cands = list(regs)
            row = 0
            for i, (name, arity) in enumerate(MODULES):
                if arity == 0:
                    cands.append(const[name])
                    continue
                stacked = jnp.stack(cands, 1)  # [n, R + i, M]
                args = []
                for _ in range(arity):
                    args.append(jnp.einsum("nk,nkm->nm", w[:, row, : R + i], stacked))
                    row += 1
                a = args[0]
                if name == "READ":
                    o = jnp.einsum("ni,nij->nj", a, mem)
                elif name == "WRITE":
                    pw = a[:, :, None]
                    mem = (1 - pw) * mem + pw * args[1][:, None, :]
                    o = const["ZERO"]
                elif arity == 1:
                    o = a @ tables[i]
                else:
                    o = (a[:, :, None] * args[1][:, None, :]).reshape(n, M * M) @ tables[i]
                cands.append(o)
            new = jnp.einsum("nrk,nkm->nrm", w[:, rows - R:, :], jnp.stack(cands, 1))
            regs = [new[:, j] for j in range(R)]
            f = jax.nn.sigmoid(h @ p["finish/kernel"] + p["finish/bias"])
            pt = f * running if t < T - 1 else running
            running = running * (1 - f)
            prob = jnp.sum(mem[:, cfg["out"]] * target, 1, keepdims=True)
            nll = nll - pt * jnp.log(jnp.maximum(prob, cfg["floor"]))
        return jnp.mean(nll)

    sc = step_config(meta)
    data = [{"memory": b["memory"], "answer": b["answer"]} for b in batches]
    return make_runner(params, loss_fn, data, sc["lr"], optax.clip_by_global_norm(sc["clip"]), steps, warmup,
                       ["T steps and modules unrolled in the trace"], optimizer=optimizer_for(sc), eta=sc["eta"], gamma=sc["gamma"], check=True, meta=meta)
