"""Neural Programmer (quick config) in PyTorch for `npm run bench -- --peers` (model: np_common.py).

Eager, as written in np_jax.py; embeddings by indexing (anneal: one-hot matMuls; same values). Starts from
anneal's initial weights; Adam(fused) after clip + noise.
"""
import torch
import torch.nn.functional as F

from np_common import NEG, OP, np_batch, np_config
from peer_protocol import Runner, step_config
from torch_step import Step, clip_global_, leaf, optimizer_for


def masked_softmax(logits, mask):
    return torch.softmax(logits + (1 - mask) * NEG, -1) * mask


def build(meta, batches, steps, warmup):
    cfg = np_config(meta)
    T, lam, delta = cfg["steps"], cfg["lambda"], cfg["delta"]
    col_words = torch.tensor(cfg["columnWords"], dtype=torch.long)
    p = {k: leaf(v) for k, v in meta["paramValues"].items()}

    def loss_fn(b):
        words, word_mask, table, row_mask, col_mask = b["words"], b["wordMask"], b["table"], b["rowMask"], b["columnMask"]
        B, L = words.shape
        U = p["ops/embedding"]
        d = U.shape[1]
        emb = p["embed/words"][words]
        z, states = torch.zeros(B, d), []
        for i in range(L):
            m = word_mask[:, i:i + 1]
            z = m * torch.tanh(torch.cat([z, emb[:, i]], 1) @ p["question/forward"]) + (1 - m) * z
            states.append(z)
        q, zs = z, torch.stack(states, 1)
        left = torch.bmm(F.one_hot(b["numberPos"], L).float(), zs)
        pivot = lambda op: (masked_softmax(left @ U[op], b["numberMask"]) * b["numbers"]).sum(1)
        cells = row_mask.unsqueeze(2)
        with torch.no_grad():  # hard comparisons: no gradient (anneal: a custom zero gradient)
            g = (table - pivot(OP["greater"]).view(B, 1, 1) > 0).float() * cells
            l = (pivot(OP["lesser"]).view(B, 1, 1) - table > 0).float() * cells
        P = p["embed/words"][col_words]
        h, c = torch.zeros(B, d), torch.zeros(B, 2 * d)
        rs, sc = [row_mask, row_mask], [torch.zeros(B)] * 3
        op_mask = torch.ones(B, U.shape[0])
        for _ in range(T):
            h = torch.tanh(torch.cat([c, h], 1) @ p["history/W"])
            qh = torch.cat([q, h], 1)
            a_op = masked_softmax(torch.tanh(qh @ p["selector/op"]) @ U.t(), op_mask)
            a_col = masked_softmax(torch.tanh(qh @ p["selector/column"]) @ P.t(), col_mask)
            c = torch.cat([a_op @ U, a_col @ P], 1)
            rs1, rs2 = rs[-1], rs[-2]
            a = lambda op: a_op[:, OP[op]]
            a2 = lambda op: a_op[:, OP[op]:OP[op] + 1]
            sums = torch.bmm(rs1.unsqueeze(1), table).squeeze(1)
            scalar = a("count") * (rs1 * row_mask).sum(1) + a("diff") * (sc[-3] - sc[-1]) + a("sum") * (a_col * sums).sum(1)
            lookup = (a_col * a2("assign")).unsqueeze(1) * (rs1 * row_mask).unsqueeze(2)
            pick = lambda x: torch.bmm(x, a_col.unsqueeze(2)).squeeze(2)
            parts = (a2("and") * torch.where(rs1 <= rs2, rs1, rs2) + a2("or") * torch.where(rs1 >= rs2, rs1, rs2) + a2("reset") * row_mask
                     + a2("greater") * pick(g) + a2("lesser") * pick(l))
            rs.append(parts * row_mask)
            sc.append(scalar)
        err = (sc[-1] - b["scalarAnswer"]).abs()
        m = torch.where(err <= delta, err, torch.full_like(err, delta))
        huber = 0.5 * m * m + delta * (err - m)
        cell_mask = row_mask.unsqueeze(2) * col_mask.unsqueeze(1)
        pc = torch.clamp(lookup, 1e-7, 1 - 1e-7)  # torch's clamp passes the gradient at the bounds, as tfjs
        y = b["lookupAnswer"]
        bce = -(y * torch.log(pc) + (1 - y) * torch.log(1 - pc))
        ll = lam * (bce * cell_mask).sum((1, 2)) / torch.clamp(cell_mask.sum((1, 2)), min=1)
        s = b["isScalar"]
        return (s * huber + (1 - s) * ll).mean()

    data = []
    for raw in batches:
        nb = np_batch(raw)
        data.append({k: torch.from_numpy(v).long() if v.dtype.kind == "i" else torch.from_numpy(v) for k, v in nb.items()})
    sc = step_config(meta)
    step = Step(list(p.values()), loss_fn, data, sc["lr"], clip_global_, sc["clip"], eta=sc["eta"], gamma=sc["gamma"], optimizer=optimizer_for(sc), names=list(p.keys()))
    return Runner(step, steps, warmup, ["Adam(fused)"], check=lambda: step.check(meta))
