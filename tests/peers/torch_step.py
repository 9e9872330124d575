"""The PyTorch contestant's training step (shared by every model in torch_peer.py and the *_torch.py files).

Same step as anneal's trainer: forward, backward, clip (global norm or per tensor, anneal's formula
g * c / max(norm, c)), annealed Gaussian noise N(0, eta/(1+t)^gamma) on every gradient entry, the
optimizer, loss read back each step. Written with torch's fast paths: foreach norms/scales,
SGD(foreach=True), Adam(fused=True) (torch's Adam is anneal's form: m̂ / (sqrt(v̂) + ε)).
"""
import math

import torch

from peer_protocol import noise_std


def clip_global_(grads, max_norm):
    norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    torch._foreach_mul_(grads, max_norm / torch.clamp(norm, min=max_norm))


def clip_per_tensor_(grads, max_norm):
    coefs = [max_norm / torch.clamp(n, min=max_norm) for n in torch._foreach_norm(grads)]
    torch._foreach_mul_(grads, coefs)


def add_noise_(grads, eta, gamma, t):
    torch._foreach_add_(grads, [torch.randn_like(g) for g in grads], alpha=noise_std(eta, gamma, t))


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
    names in the order of params (then check() reports each parameter's gradient norm too)."""

    def __init__(self, params, loss_fn, batches, lr, clip, max_norm, eta=0.01, gamma=0.55, optimizer=None, names=None):
        self.params, self.loss_fn, self.batches, self.names = params, loss_fn, batches, names
        self.opt = (optimizer or sgd(lr))(params)
        self.clip, self.max_norm, self.eta, self.gamma, self.t = clip, max_norm, eta, gamma, 0

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

    def check(self):
        """Loss and global gradient norm (before the clip) of batch 0 at the current weights; no update."""
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
        return out


def leaf(array):
    """A trainable float32 leaf tensor from a numpy array (anneal's exported weights)."""
    return torch.from_numpy(array.copy()).requires_grad_()
