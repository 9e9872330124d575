"""The JAX + optax contestant's training step (shared by jax_peer.py and the *_jax.py files).

One jitted function (buffers donated): loss and gradients (jax.value_and_grad), optax.chain(clip,
optax.add_noise(eta, gamma) — the paper's annealed Gaussian noise, variance eta/(1+t)^gamma —, the optimizer),
loss read back to the host each step. optax.adam is anneal's form: m̂ / (sqrt(v̂) + ε).
"""
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from peer_protocol import Runner, update_report


def clip_per_tensor(max_norm):
    def update(updates, state, params=None):
        del params
        return jax.tree.map(lambda g: g * (max_norm / jnp.maximum(jnp.linalg.norm(g), max_norm)), updates), state

    return optax.GradientTransformation(lambda p: optax.EmptyState(), update)


def clip_for(sc, max_norm=None):
    """The clip of a peer_protocol.step_config (at max_norm, default the recipe's): optax.clip_by_global_norm, or
    each tensor on its own."""
    c = sc["clip"] if max_norm is None else max_norm
    return optax.clip_by_global_norm(c) if sc["clipKind"] == "global" else clip_per_tensor(c)


def optimizer_for(sc):
    """The optax optimizer of a peer_protocol.step_config."""
    if sc["optimizer"] == "adam":
        return optax.adam(sc["lr"], b1=sc["beta1"], b2=sc["beta2"], eps=sc["eps"])
    if sc["optimizer"] == "sgd":
        return optax.sgd(sc["lr"])
    raise ValueError(f"no optax peer optimizer for {sc['optimizer']}")


def make_runner(params, loss_fn, batches, lr, clip, steps, warmup, notes, carry=None, optimizer=None, eta=0.01, gamma=0.55, check=False, meta=None,
                export=None, clip_at=optax.clip_by_global_norm):
    """loss_fn(params, batch[, carry]) -> loss (or (loss, carry) when carry is given). optimizer: default sgd(lr).
    check: give the Runner a check() (loss and raw gradient norm of batch 0 at the initial params; with params
    a dict by anneal's names, each parameter's gradient norm too; with `meta`, the update check of
    peer_protocol.update_report on the params after each case's noise-free step, the clip made by clip_at(max
    norm), through `export` (params -> name -> array in anneal's layout; default: the params dict itself))."""
    optimizer = optimizer or optax.sgd(lr)
    noise = [] if eta is None else [optax.add_noise(eta, gamma, jax.random.key(1))]  # None (--noise-share): no noise
    opt = optax.chain(clip, *noise, optimizer)
    has_carry = carry is not None

    def grads_of(params, batch, carry):
        if has_carry:
            (loss, carry), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, batch, carry)
        else:
            loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        return loss, grads, carry

    def step(params, opt_state, batch, carry):
        loss, grads, carry = grads_of(params, batch, carry)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss, carry

    def noise_free_step(max_norm):  # None: the clip of the timed steps
        noise_free = optax.chain(clip if max_norm is None else clip_at(max_norm), optimizer)

        def one(params, batch, carry):
            _, grads, _ = grads_of(params, batch, carry)
            updates, _ = noise_free.update(grads, noise_free.init(params), params)
            return optax.apply_updates(params, updates)

        return jax.jit(one)

    jstep = jax.jit(step, donate_argnums=(0, 1))
    data = [jax.tree.map(jnp.asarray, b) for b in batches]
    st = {"params": params, "opt": opt.init(params), "carry": carry, "t": 0}

    def one():
        st["params"], st["opt"], loss, st["carry"] = jstep(st["params"], st["opt"], data[st["t"] % len(data)], st["carry"])
        st["t"] += 1
        return float(loss)

    def check_fn():  # before any step: st holds the initial params and carry
        loss, grads, _ = jax.jit(grads_of)(st["params"], data[0], st["carry"])
        sq = jax.tree.map(lambda g: float(np.sum(np.asarray(g, np.float64) ** 2)), grads)
        out = {"loss": float(loss), "gradNorm": math.sqrt(sum(jax.tree.leaves(sq)))}
        if isinstance(sq, dict):
            out["gradNorms"] = {k: math.sqrt(v) for k, v in sq.items()}
        if meta is not None:
            out["updates"] = []
            for i, c in enumerate(meta["updateCases"]):
                new = noise_free_step(c["maxNorm"] if c["engaged"] else None)(st["params"], data[0], st["carry"])
                out["updates"].append(update_report({k: np.asarray(v) for k, v in (export or (lambda p: p))(new).items()}, meta, i))
        return out

    return Runner(one, steps, warmup, notes, check=check_fn if check else None)
