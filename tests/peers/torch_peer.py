"""PyTorch contestant of `npm run bench -- --peers` (protocol: peer_protocol.py).

Same step as anneal's trainer: forward, backward, clip (global norm or per tensor, anneal's formula
g * c / max(norm, c)), annealed Gaussian noise N(0, eta/(1+t)^gamma) on every gradient entry, SGD,
loss read back each step. Written with torch's fast paths: foreach norms/scales, SGD(foreach=True).
Every model starts from anneal's exported initial weights and reports the correctness check of peer_protocol.py
(loss, gradient norms, the parameters after one noise-free step); the learning rate, clip and η, γ come from the
recipe (peer_protocol.step_config).
Differences from anneal, stated in the printed table too:
  - MLP: the layers are torch.addmm with anneal's [in, out] kernels (not nn.Linear's [out, in]); same values.
  - PTB LSTM: torch.nn.LSTM has two bias vectors per layer (b_ih, b_hh); anneal has one. b_ih holds anneal's,
    b_hh is held at 0 and not trained, so the model, its gradients and the step are anneal's. The state is
    carried from window to window (truncated BPTT), as anneal carries it within an epoch; batch 0 starts from 0
    (the check too). No dropout: the benchmark recipe has none, on either side.
  - MemN2N: the embedding bags are gathers + sums (anneal's are hand-written loops that skip nil words);
    clip per matrix (clip-tensor-norm).
  - The wheel is PyPI's CUDA build, imported with stub CUDA libraries (scripts/bench-venv/torch_cuda_stubs.py);
    it runs on the CPU only.
Threads: torch's default (all cores) unless ANNEAL_PEER_THREADS is set.
The Neural GPU, NRAM and Neural Programmer peers (quick configs) are ngpu_torch.py, nram_torch.py, np_torch.py
(Adam; they start from anneal's exported initial weights and report the correctness check of peer_protocol.py);
the shared step is torch_step.py.
"""
import os

import torch
import torch.nn.functional as F

from peer_protocol import Runner, serve, step_config
from torch_step import Step, clip_for, leaf, optimizer_for
import ngpu_torch
import nram_torch
import np_torch

if os.environ.get("ANNEAL_PEER_THREADS"):
    torch.set_num_threads(int(os.environ["ANNEAL_PEER_THREADS"]))
torch.manual_seed(1)


def mlp(meta, batches, steps, warmup):
    P = {name: leaf(v) for name, v in meta["paramValues"].items()}
    layers = [(P[n], P[n[: -len("kernel")] + "bias"]) for n in P if n.endswith("/kernel")]  # dense00 … output, [in, out] kernels
    data = [(torch.from_numpy(b["x"]), torch.from_numpy(b["y"]).long()) for b in batches]

    def loss_fn(b):
        h = b[0]
        for w, c in layers[:-1]:
            h = F.relu(torch.addmm(c, h, w))
        w, c = layers[-1]
        return F.cross_entropy(torch.addmm(c, h, w), b[1])

    sc = step_config(meta)
    step = Step(list(P.values()), loss_fn, data, sc["lr"], clip_for(sc), sc["clip"], eta=sc["eta"], gamma=sc["gamma"], optimizer=optimizer_for(sc), names=list(P))
    return Runner(step, steps, warmup, ["addmm with anneal's [in, out] kernels"], check=lambda: step.check(meta))


def memn2n(meta, batches, steps, warmup):
    info, d = meta["info"], meta["describe"]
    J, K, D, nil = info["sentenceSize"], d["hops"], d["embeddingDim"], info.get("nilIndex", 0)
    P = {name: leaf(v) for name, v in meta["paramValues"].items()}  # embed/A1 (= B), embed/C1 … embed/C<K> (C<K> = W^T)
    Ts = list(P.values())
    V = Ts[0].shape[0]
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

    sc = step_config(meta)
    step = Step(Ts, loss_fn, data, sc["lr"], clip_for(sc), sc["clip"], eta=sc["eta"], gamma=sc["gamma"], optimizer=optimizer_for(sc), names=list(P))
    return Runner(step, steps, warmup, ["embedding bags as gather + sum"], check=lambda: step.check(meta))


def ptb(meta, batches, steps, warmup):
    d, info = meta["describe"], meta["info"]
    V, H, E, L = info["vocabSize"], d["hiddenSize"], d["embeddingSize"], d["layers"]
    w = meta["paramValues"]
    emb = torch.nn.Embedding(V, E)
    lstm = torch.nn.LSTM(E, H, num_layers=L, batch_first=True)
    out = torch.nn.Linear(H, V)
    # anneal's weights in torch's layout: gates i, f, g, o in both; W_ih = Wx^T, W_hh = Wh^T, b_ih = b, and the
    # second bias b_hh held at 0 and not trained (anneal has one bias per layer)
    trained = {"embedding": emb.weight}
    for l in range(L):
        trained[f"lstm/{l + 1}/Wx"] = getattr(lstm, f"weight_ih_l{l}")
        trained[f"lstm/{l + 1}/Wh"] = getattr(lstm, f"weight_hh_l{l}")
        trained[f"lstm/{l + 1}/b"] = getattr(lstm, f"bias_ih_l{l}")
        getattr(lstm, f"bias_hh_l{l}").requires_grad_(False)
    trained["softmax/W"], trained["softmax/b"] = out.weight, out.bias
    transposed = {n for n in trained if n.endswith(("/Wx", "/Wh")) or n == "softmax/W"}
    with torch.no_grad():
        for l in range(L):
            getattr(lstm, f"bias_hh_l{l}").zero_()
        for n, p in trained.items():
            p.copy_(torch.from_numpy(w[n].T.copy() if n in transposed else w[n]))
    data = [(torch.from_numpy(b["x"]).long(), torch.from_numpy(b["y"]).long()) for b in batches]
    B = data[0][0].shape[0]
    start = (torch.zeros(L, B, H), torch.zeros(L, B, H))
    state = [start]

    def loss_fn(b):
        x, y = b
        seq, (h, c) = lstm(emb(x), state[0])
        state[0] = (h.detach(), c.detach())  # truncated BPTT: the state goes on, the gradient stops
        logits = out(seq.reshape(-1, H))
        return F.cross_entropy(logits, y.reshape(-1), reduction="sum") / B

    def export():
        return {n: (p.detach().numpy().T if n in transposed else p.detach().numpy()).copy() for n, p in trained.items()}

    def restart():  # the check runs batch 0 from the zero state; the timed steps start from it too
        state[0] = start

    sc = step_config(meta)
    step = Step(list(trained.values()), loss_fn, data, sc["lr"], clip_for(sc), sc["clip"], eta=sc["eta"], gamma=sc["gamma"], optimizer=optimizer_for(sc),
                names=list(trained), export=export, reset=restart)
    return Runner(step, steps, warmup, ["nn.LSTM, its second bias held at 0"], check=lambda: step.check(meta))


if __name__ == "__main__":
    serve("pytorch", f"torch {torch.__version__} (PyPI CUDA build, CUDA stubbed, CPU, {torch.get_num_threads()} threads)", {"mlp": mlp, "memn2n": memn2n, "ptb": ptb, "ngpu": ngpu_torch.build, "nram": nram_torch.build, "np": np_torch.build})
