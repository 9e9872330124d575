"""Neural GPU (quick config) in JAX + optax for `npm run bench -- --peers` (model: ngpu_common.py).

Layout NHWC [b, h, w, m]; the 3×3 convolutions are lax.conv_general_dilated (SAME, HWIO: anneal's kernels
as they are; anneal: 9 row shifts + matMuls, same values); the max(length) steps are unrolled in the
trace (static per batch shape). Embedding by indexing (anneal: one-hot · E). Starts from anneal's initial
weights; one jitted step with optax.chain(clip_by_global_norm, add_noise, adam).
"""
import jax
import jax.numpy as jnp
import optax

from jax_step import make_runner, optimizer_for
from ngpu_common import cell_names, ngpu_batch, ngpu_config
from peer_protocol import step_config


def build(meta, batches, steps, warmup):
    cfg = ngpu_config(meta)
    params = {k: jnp.asarray(v) for k, v in meta["paramValues"].items()}
    names = cell_names(cfg["layers"])
    h, cutoff = cfg["height"], cfg["cutoff"]

    def sig(x):
        return jnp.clip(cutoff * jax.nn.sigmoid(x) - (cutoff - 1) / 2, 0.0, 1.0)

    def conv(x, k, b):
        return jax.lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")) + b

    def loss_fn(p, b):
        inp, target, mask, ending = b["input"], b["target"], b["mask"], b["ending"]
        B, W = inp.shape
        x = jnp.tanh(p["embedding"][inp])  # [B, W, m]
        row0 = x @ p["input/kernel"] + p["input/bias"]
        mask_img = mask[:, None, :, None]
        s = jnp.concatenate([row0[:, None], jnp.zeros((B, h - 1, W, row0.shape[-1]))], 1) * mask_img
        out = 0.0
        for t in range(ending.shape[0]):
            for (ku, bu), (kr, br), (kc, bc) in names:
                u = sig(conv(s, p[ku], p[bu]))
                r = sig(conv(s, p[kr], p[br]))
                s = u * s + (1 - u) * jnp.tanh(conv(r * s, p[kc], p[bc]))
            s = s * mask_img
            out = out + s[:, 0] * ending[t][:, None, None]
        logp = jax.nn.log_softmax(out @ p["output/kernel"] + p["output/bias"])  # [B, W, V]
        ce = -jnp.take_along_axis(logp, target[..., None], axis=2)[..., 0]
        return jnp.sum(ce * mask) / (B * W)

    sc = step_config(meta)
    data = [ngpu_batch(b) for b in batches]
    return make_runner(params, loss_fn, data, sc["lr"], optax.clip_by_global_norm(sc["clip"]), steps, warmup,
                       ["lax.conv NHWC (anneal: row shifts + matMuls)", "steps unrolled in the trace"],
                       optimizer=optimizer_for(sc), eta=sc["eta"], gamma=sc["gamma"], check=True, meta=meta)
