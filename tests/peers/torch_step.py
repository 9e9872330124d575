"""The PyTorch contestant's training step (shared by every model in torch_peer.py and the *_torch.py files).

Same step as anneal's trainer: forward, backward, clip (global norm or per tensor, anneal's formula
g * c / max(norm, c)), annealed Gaussian noise N(0, eta/(1+t)^gamma) on every gradient entry, the
optimizer, loss read back each step. Written with torch's fast paths: foreach norms/scales,
SGD(foreach=True), Adam(fused=True) (torch's Adam is anneal's form: m̂ / (sqrt(v̂) + ε)).
"""
import math

import torch

from peer_protocol import noise_std, update_report


def clip_global_(grads, max_norm):
    norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    torch._foreach_mul_(grads, max_norm / torch.clamp(norm, min=max_norm))


def clip_per_tensor_(grads, max_norm):
    coefs = [max_norm / torch.clamp(n, min=max_norm) for n in torch._foreach_norm(grads)]
    torch._foreach_mul_(grads, coefs)


def add_noise_(grads, eta, gamma, t):
    if eta is None:  # --noise-share: the step without its noise
        return
    torch._foreach_add_(grads, [torch.randn_like(g) for g in grads], alpha=noise_std(eta, gamma, t))


def clip_for(sc):
    """The clip of a peer_protocol.step_config: global norm, or each tensor on its own."""
    return clip_global_ if sc["clipKind"] == "global" else clip_per_tensor_


def sgd(lr):
    return lambda params: torch.optim.SGD(params, lr=lr, foreach=True)


def adam(lr, eps, beta1=0.9, beta2=0.999):
    return lambda params: torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps, fused=True)


def optimizer_for(sc):
    """The optimizer factory of a peer_protocol.step_config."""
    if sc["optimizer"] == "adam":
        return adam(sc["lr"], sc["eps"], sc["beta1"], sc["beta2"])
    if sc["optimizer"] == "sgd":
        return sgd(sc["lr"])
    raise ValueError(f"no torch peer optimizer for {sc['optimizer']}")


class Step:
    """One training step: loss_fn(batch) -> scalar; then clip, noise, the optimizer; returns the loss as a float.
    `optimizer`: a factory params -> torch.optim.Optimizer (default: SGD(lr)). `names`: anneal's parameter
    names in the order of params (then check() reports each parameter's gradient norm too). `export`: the
    parameters in anneal's layout, name -> numpy array (default: params as they are, by `names`). `reset`: called
    after the check (e.g. to put a carried state back to its start)."""

    def __init__(self, params, loss_fn, batches, lr, clip, max_norm, eta=0.01, gamma=0.55, optimizer=None, names=None, export=None, reset=None):
        self.params, self.loss_fn, self.batches, self.names = params, loss_fn, batches, names
        self.make_opt = optimizer or sgd(lr)
        self.opt = self.make_opt(params)
        self.clip, self.max_norm, self.eta, self.gamma, self.t = clip, max_norm, eta, gamma, 0
        self.export = export or (lambda: {n: p.detach().numpy().copy() for n, p in zip(self.names, self.params)})
        self.reset = reset

    def __call__(self):
        batch = self.batches[self.t % len(self.batches)]
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss_fn(batch)
        loss.backward()
        grads = [p.grad for p in self.params]
        self.clip(grads, self.max_norm)
        add_noise_(grads, self.eta, self.gamma, self.t)
        self.opt.step()
        self.t += 1
        return loss.item()

    def check(self, meta=None):
        """Loss and global gradient norm (before the clip) of batch 0 at the current weights; with `meta`, also the
        update check (peer_protocol.update_report). The weights are left as they were."""
        for p in self.params:
            p.grad = None
        loss = self.loss_fn(self.batches[0])
        loss.backward()
        sq = [float(p.grad.double().pow(2).sum()) if p.grad is not None else 0.0 for p in self.params]
        for p in self.params:
            p.grad = None
        out = {"loss": float(loss.item()), "gradNorm": math.sqrt(sum(sq))}
        if self.names:
            out["gradNorms"] = {n: math.sqrt(v) for n, v in zip(self.names, sq)}
        if self.reset:
            self.reset()
        if meta is not None:
            # case 1 with the peer's own max norm (the one its timed steps use), case 2 at anneal's acting one
            out["updates"] = [update_report(self.noise_free_step(c["maxNorm"] if c["engaged"] else self.max_norm), meta, i) for i, c in enumerate(meta["updateCases"])]
        return out

    def noise_free_step(self, max_norm):
        """The parameters (export()) after one step on batch 0 from the current weights: the clip at max_norm and a
        fresh optimizer, no noise. The weights are put back afterwards."""
        saved = [p.detach().clone() for p in self.params]
        opt = self.make_opt(self.params)
        opt.zero_grad(set_to_none=True)
        self.loss_fn(self.batches[0]).backward()
        self.clip([p.grad for p in self.params], max_norm)
        opt.step()
        values = self.export()
        with torch.no_grad():
            for p, s in zip(self.params, saved):
                p.copy_(s)
                p.grad = None
        if self.reset:
            self.reset()
        return values


def leaf(array):
    """A trainable float32 leaf tensor from a numpy array (anneal's exported weights)."""
    return torch.from_numpy(array.copy()).requires_grad_()
