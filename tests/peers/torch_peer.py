"""PyTorch contestant of `npm run bench -- --peers` (protocol: peer_protocol.py).

Same step as anneal's trainer: forward, backward, clip (global norm or per tensor, anneal's formula
g * c / max(norm, c)), annealed Gaussian noise N(0, eta/(1+t)^gamma) on every gradient entry, SGD,
loss read back each step. Written with torch's fast paths: foreach norms/scales, SGD(foreach=True).
Differences from anneal, stated in the printed table too:
  - PTB LSTM: torch.nn.LSTM has two bias vectors per layer (b_ih, b_hh); anneal has one (+1,600 params).
  - MemN2N: the embedding bags are gathers + sums (anneal's are hand-written loops that skip nil words).
  - The wheel is PyPI's CUDA build, imported with stub CUDA libraries (scripts/bench-venv/torch_cuda_stubs.py);
    it runs on the CPU only.
Threads: torch's default (all cores) unless ANNEAL_PEER_THREADS is set.
The Neural GPU, NRAM and Neural Programmer peers (quick configs) are ngpu_torch.py, nram_torch.py, np_torch.py
(Adam; they start from anneal's exported initial weights and report the correctness check of peer_protocol.py);
the shared step is torch_step.py.
"""
import math
import os

import torch
import torch.nn.functional as F

from peer_protocol import Runner, serve
from torch_step import Step, clip_global_, clip_per_tensor_
import ngpu_torch
import nram_torch
import np_torch

if os.environ.get("ANNEAL_PEER_THREADS"):
    torch.set_num_threads(int(os.environ["ANNEAL_PEER_THREADS"]))
torch.manual_seed(1)


def mlp(meta, batches, steps, warmup):
    d = meta["describe"]
    sizes = [d["inputSize"]] + [d["width"]] * d["depth"] + [d["numClasses"]]
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.normal_(lin.weight, 0.0, math.sqrt(2.0 / sizes[i]))  # He (normal)
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
    data = [(torch.from_numpy(b["x"]), torch.from_numpy(b["y"]).long()) for b in batches]

    def loss_fn(b):
        h = b[0]
        for lin in layers[:-1]:
            h = F.relu(lin(h))
        return F.cross_entropy(layers[-1](h), b[1])

    params = [p for lin in layers for p in lin.parameters()]
    return Runner(Step(params, loss_fn, data, 0.01, clip_global_, 10.0), steps, warmup, [])


def memn2n(meta, batches, steps, warmup):
    info, d = meta["info"], meta["describe"]
    V, J, K, D, nil = info["vocabSize"], info["sentenceSize"], d["hops"], d["embeddingDim"], info.get("nilIndex", 0)
    g = torch.Generator().manual_seed(1)
    Ts = []
    for _ in range(K + 1):
        T = torch.randn(V, D, generator=g) * 0.1
        T[nil] = 0
        Ts.append(T.requires_grad_())
    jj, kk = torch.meshgrid(torch.arange(1, J + 1, dtype=torch.float32), torch.arange(1, D + 1, dtype=torch.float32), indexing="ij")
    pe = 1 + 4 * (kk - (D + 1) / 2) * (jj - (J + 1) / 2) / (D * J)  # [J, D], the reference code's form
    keep = torch.ones(V, 1)
    keep[nil] = 0
    data = [(torch.from_numpy(b["stories"]).long(), torch.from_numpy(b["queries"]).long(), torch.from_numpy(b["answers"]).long()) for b in batches]

    def loss_fn(b):
        stories, queries, answers = b
        Tm = [T - (T * (1 - keep)).detach() for T in Ts]  # nil row read as 0, gradient straight through (as anneal)
        E = [(T[stories] * pe).sum(2) for T in Tm]  # [b, M, D]
        u = (Tm[0][queries] * pe).sum(1)  # [b, D]
        for k in range(1, K + 1):
            p = torch.softmax(torch.bmm(E[k - 1], u.unsqueeze(2)).squeeze(2), dim=1)
            u = u + torch.bmm(p.unsqueeze(1), E[k]).squeeze(1)
        return F.cross_entropy(u @ Tm[K].t(), answers, reduction="sum")

    return Runner(Step(Ts, loss_fn, data, 0.01, clip_per_tensor_, 40.0), steps, warmup,
                  ["embedding bags as gather + sum"])


def ptb(meta, batches, steps, warmup):
    d, info = meta["describe"], meta["info"]
    V, H, E, L = info["vocabSize"], d["hiddenSize"], d["embeddingSize"], d["layers"]
    s = d["initScale"]
    emb = torch.nn.Embedding(V, E)
    lstm = torch.nn.LSTM(E, H, num_layers=L, batch_first=True)
    out = torch.nn.Linear(H, V)
    params = [*emb.parameters(), *lstm.parameters(), *out.parameters()]
    with torch.no_grad():
        for p in params:
            p.uniform_(-s, s)
    data = [(torch.from_numpy(b["x"]).long(), torch.from_numpy(b["y"]).long()) for b in batches]
    B = data[0][0].shape[0]
    state = [(torch.zeros(L, B, H), torch.zeros(L, B, H))]

    def loss_fn(b):
        x, y = b
        seq, (h, c) = lstm(emb(x), state[0])
        state[0] = (h.detach(), c.detach())  # truncated BPTT: the state goes on, the gradient stops
        logits = out(seq.reshape(-1, H))
        return F.cross_entropy(logits, y.reshape(-1), reduction="sum") / B

    return Runner(Step(params, loss_fn, data, 1.0, clip_global_, 5.0), steps, warmup,
                  ["nn.LSTM: 2 biases per layer"])


if __name__ == "__main__":
    serve("pytorch", f"torch {torch.__version__} (PyPI CUDA build, CUDA stubbed, CPU, {torch.get_num_threads()} threads)", {"mlp": mlp, "memn2n": memn2n, "ptb": ptb, "ngpu": ngpu_torch.build, "nram": nram_torch.build, "np": np_torch.build})
