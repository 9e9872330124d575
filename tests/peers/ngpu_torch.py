"""Neural GPU (quick config) in PyTorch for `npm run bench -- --peers` (model: ngpu_common.py).

Layout NCHW [b, m, h, w]; the 3×3 convolutions are F.conv2d(padding=1) with anneal's HWIO kernels held as
OIHW (anneal: 9 row shifts + matMuls of an [h·w·b, m] image; same values). Embedding by indexing (anneal:
one-hot · E; same values). Starts from anneal's initial weights; Adam(fused) after clip + noise.
"""
import torch
import torch.nn.functional as F

from ngpu_common import cell_names, ngpu_batch, ngpu_config
from peer_protocol import Runner, step_config
from torch_step import Step, clip_global_, leaf, optimizer_for


def build(meta, batches, steps, warmup):
    cfg = ngpu_config(meta)
    w = meta["paramValues"]
    P = {name: leaf(v) for name, v in w.items()}
    for l in cell_names(cfg["layers"]):  # HWIO -> OIHW, as leaves of their own
        for k, _ in l:
            P[k] = leaf(w[k].transpose(3, 2, 0, 1))
    cells = [[(P[k], P[b]) for k, b in layer] for layer in cell_names(cfg["layers"])]
    h, cutoff = cfg["height"], cfg["cutoff"]

    def sig(x):
        return torch.clamp(cutoff * torch.sigmoid(x) - (cutoff - 1) / 2, 0.0, 1.0)

    def conv(x, k, b):
        return F.conv2d(x, k, b, padding=1)

    def loss_fn(b):
        inp, target, mask, ending = b
        B, W = inp.shape
        x = torch.tanh(P["embedding"][inp])  # [B, W, m]
        row0 = (x @ P["input/kernel"] + P["input/bias"]).transpose(1, 2).unsqueeze(2)  # [B, m, 1, W]
        m = row0.shape[1]
        mask_img = mask.view(B, 1, 1, W)
        s = torch.cat([row0, row0.new_zeros(B, m, h - 1, W)], 2) * mask_img
        out = 0
        for t in range(ending.shape[0]):
            for (ku, bu), (kr, br), (kc, bc) in cells:
                u = sig(conv(s, ku, bu))
                r = sig(conv(s, kr, br))
                s = u * s + (1 - u) * torch.tanh(conv(r * s, kc, bc))
            s = s * mask_img
            out = out + s[:, :, 0, :] * ending[t].view(B, 1, 1)
        logits = out.transpose(1, 2) @ P["output/kernel"] + P["output/bias"]  # [B, W, V]
        ce = -torch.gather(F.log_softmax(logits, 2), 2, target.unsqueeze(2)).squeeze(2)
        return (ce * mask).sum() / (B * W)

    data = []
    for raw in batches:
        nb = ngpu_batch(raw)
        data.append((torch.from_numpy(nb["input"]).long(), torch.from_numpy(nb["target"]).long(), torch.from_numpy(nb["mask"]), torch.from_numpy(nb["ending"])))
    params = list(P.values())
    sc = step_config(meta)
    kernels = {k for layer in cell_names(cfg["layers"]) for k, _ in layer}

    def export():  # anneal's layout: the CGRU kernels back to HWIO
        return {n: p.detach().numpy().transpose(2, 3, 1, 0).copy() if n in kernels else p.detach().numpy().copy() for n, p in P.items()}

    step = Step(params, loss_fn, data, sc["lr"], clip_global_, sc["clip"], eta=sc["eta"], gamma=sc["gamma"], optimizer=optimizer_for(sc), names=list(P.keys()), export=export)
    return Runner(step, steps, warmup, ["F.conv2d NCHW (anneal: row shifts + matMuls)", "Adam(fused)"], check=lambda: step.check(meta))
