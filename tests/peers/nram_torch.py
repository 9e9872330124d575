"""NRAM (quick config) in PyTorch for `npm run bench -- --peers` (model: nram_common.py).

Eager, as written in nram_jax.py: a module argument is a bmm of its softmax row with the candidates
computed so far (anneal: a selector matMul over all R + Q candidates, the later ones 0 — same values).
Starts from anneal's initial weights; Adam(fused) after clip + noise.
"""
import torch
import torch.nn.functional as F

from nram_common import MODULES, nram_config
from peer_protocol import Runner, step_config
from torch_step import Step, clip_global_, leaf, optimizer_for


def build(meta, batches, steps, warmup):
    cfg = nram_config(meta)
    M, R, T, H, rows = cfg["M"], cfg["R"], cfg["T"], cfg["H"], cfg["rows"]
    K = R + len(MODULES)
    tables = [None if t is None else torch.from_numpy(t) for t in cfg["tables"]]
    mask = torch.from_numpy(cfg["mask"])
    P = {k: leaf(v) for k, v in meta["paramValues"].items()}

    def loss_fn(b):
        memory, answer = b
        n = memory.shape[0]
        mem = F.one_hot(memory, M).float()
        zero = F.one_hot(torch.zeros(n, dtype=torch.long), M).float()
        const = {"ZERO": zero, "ONE": F.one_hot(torch.full((n,), 1 % M), M).float(), "TWO": F.one_hot(torch.full((n,), 2 % M), M).float()}
        regs = zero.unsqueeze(1).repeat(1, R, 1)  # [n, R, M]
        h, c, running = torch.zeros(n, H), torch.zeros(n, H), torch.ones(n, 1)
        target = F.one_hot(answer, M).float()
        nll = torch.zeros(n, 1)
        for t in range(T):
            z = torch.cat([regs[:, :, 0], h], 1) @ P["controller/kernel"] + P["controller/bias"]
            zi, zf, zo, zg = z.chunk(4, 1)
            c = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
            h = torch.sigmoid(zo) * torch.tanh(c)
            w = torch.softmax((h @ P["choices/kernel"] + (P["choices/bias"] + mask)).view(n, rows, K), -1)
            cands = list(regs.unbind(1))
            row = 0
            for i, (name, arity) in enumerate(MODULES):
                if arity == 0:
                    cands.append(const[name])
                    continue
                stacked = torch.stack(cands, 1)  # [n, R + i, M]
                args = torch.bmm(w[:, row:row + arity, : R + i], stacked)  # [n, arity, M]
                row += arity
                a = args[:, 0]
                if name == "READ":
                    o = torch.bmm(a.unsqueeze(1), mem).squeeze(1)
                elif name == "WRITE":
                    pw = a.unsqueeze(2)
                    mem = (1 - pw) * mem + pw * args[:, 1].unsqueeze(1)
                    o = zero
                elif arity == 1:
                    o = a @ tables[i]
                else:
                    o = torch.bmm(a.unsqueeze(2), args[:, 1:2]).view(n, M * M) @ tables[i]
                cands.append(o)
            regs = torch.bmm(w[:, rows - R:], torch.stack(cands, 1))
            f = torch.sigmoid(h @ P["finish/kernel"] + P["finish/bias"])
            pt = f * running if t < T - 1 else running
            running = running * (1 - f)
            prob = (mem[:, cfg["out"]] * target).sum(1, keepdim=True)
            nll = nll - pt * torch.log(torch.clamp(prob, min=cfg["floor"]))
        return nll.mean()

    sc = step_config(meta)
    data = [(torch.from_numpy(b["memory"]).long(), torch.from_numpy(b["answer"]).long()) for b in batches]
    step = Step(list(P.values()), loss_fn, data, sc["lr"], clip_global_, sc["clip"], eta=sc["eta"], gamma=sc["gamma"], optimizer=optimizer_for(sc), names=list(P.keys()))
    return Runner(step, steps, warmup, ["Adam(fused)"], check=lambda: step.check(meta))
