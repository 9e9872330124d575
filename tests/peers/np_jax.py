"""Neural Programmer (quick config) in JAX + optax for `npm run bench -- --peers` (model: np_common.py).

The question RNN (L words) and the T steps are unrolled in the trace; embeddings by indexing (anneal:
one-hot matMuls; same values). Starts from anneal's initial weights; one jitted step with
optax.chain(clip_by_global_norm, add_noise, adam).
"""
import jax
import jax.numpy as jnp
import optax

from jax_step import make_runner, optimizer_for
from np_common import NEG, OP, np_batch, np_config
from peer_protocol import step_config


def masked_softmax(logits, mask):
    return jax.nn.softmax(logits + (1 - mask) * NEG, axis=-1) * mask


def hard(x):
    return jax.lax.stop_gradient((x > 0).astype(jnp.float32))


def build(meta, batches, steps, warmup):
    cfg = np_config(meta)
    T, lam, delta = cfg["steps"], cfg["lambda"], cfg["delta"]
    col_words = jnp.asarray(cfg["columnWords"], jnp.int32)
    params = {k: jnp.asarray(v) for k, v in meta["paramValues"].items()}

    def loss_fn(p, b):
        words, word_mask, table, row_mask, col_mask = b["words"], b["wordMask"], b["table"], b["rowMask"], b["columnMask"]
        B, L = words.shape
        U = p["ops/embedding"]
        d = U.shape[1]
        emb = p["embed/words"][words]
        z, states = jnp.zeros((B, d)), []
        for i in range(L):
            m = word_mask[:, i:i + 1]
            z = m * jnp.tanh(jnp.concatenate([z, emb[:, i]], 1) @ p["question/forward"]) + (1 - m) * z
            states.append(z)
        q, zs = z, jnp.stack(states, 1)
        left = jnp.einsum("bnl,bld->bnd", jax.nn.one_hot(b["numberPos"], L), zs)
        pivot = lambda op: jnp.sum(masked_softmax(left @ U[op], b["numberMask"]) * b["numbers"], 1)
        cells = row_mask[:, :, None]
        g = hard(table - pivot(OP["greater"])[:, None, None]) * cells
        l = hard(pivot(OP["lesser"])[:, None, None] - table) * cells
        P = p["embed/words"][col_words]
        h, c = jnp.zeros((B, d)), jnp.zeros((B, 2 * d))
        rs, sc = [row_mask, row_mask], [jnp.zeros(B)] * 3
        op_mask = jnp.ones((B, U.shape[0]))
        for _ in range(T):
            h = jnp.tanh(jnp.concatenate([c, h], 1) @ p["history/W"])
            qh = jnp.concatenate([q, h], 1)
            a_op = masked_softmax(jnp.tanh(qh @ p["selector/op"]) @ U.T, op_mask)
            a_col = masked_softmax(jnp.tanh(qh @ p["selector/column"]) @ P.T, col_mask)
            c = jnp.concatenate([a_op @ U, a_col @ P], 1)
            rs1, rs2 = rs[-1], rs[-2]
            a = lambda op: a_op[:, OP[op]]
            a2 = lambda op: a_op[:, OP[op]:OP[op] + 1]
            sums = jnp.einsum("br,brc->bc", rs1, table)
            scalar = a("count") * jnp.sum(rs1 * row_mask, 1) + a("diff") * (sc[-3] - sc[-1]) + a("sum") * jnp.sum(a_col * sums, 1)
            lookup = (a_col * a2("assign"))[:, None, :] * (rs1 * row_mask)[:, :, None]
            pick = lambda x: jnp.einsum("brc,bc->br", x, a_col)
            parts = (a2("and") * jnp.where(rs1 <= rs2, rs1, rs2) + a2("or") * jnp.where(rs1 >= rs2, rs1, rs2) + a2("reset") * row_mask
                     + a2("greater") * pick(g) + a2("lesser") * pick(l))
            rs.append(parts * row_mask)
            sc.append(scalar)
        err = jnp.abs(sc[-1] - b["scalarAnswer"])
        m = jnp.where(err <= delta, err, delta)
        huber = 0.5 * m * m + delta * (err - m)
        cell_mask = row_mask[:, :, None] * col_mask[:, None, :]
        pc = jnp.where(lookup < 1e-7, 1e-7, jnp.where(lookup > 1 - 1e-7, 1 - 1e-7, lookup))
        y = b["lookupAnswer"]
        bce = -(y * jnp.log(pc) + (1 - y) * jnp.log(1 - pc))
        ll = lam * jnp.sum(bce * cell_mask, (1, 2)) / jnp.maximum(jnp.sum(cell_mask, (1, 2)), 1)
        s = b["isScalar"]
        return jnp.mean(s * huber + (1 - s) * ll)

    sc = step_config(meta)
    data = [np_batch(b) for b in batches]
    return make_runner(params, loss_fn, data, sc["lr"], optax.clip_by_global_norm(sc["clip"]), steps, warmup,
                       ["RNN and T steps unrolled in the trace"], optimizer=optimizer_for(sc), eta=sc["eta"], gamma=sc["gamma"], check=True, meta=meta)
