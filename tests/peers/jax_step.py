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

from peer_protocol import Runner


def clip_per_tensor(max_norm):
    def update(updates, state, params=None):
        del params
        return jax.tree.map(lambda g: g * (max_norm / jnp.maximum(jnp.linalg.norm(g), max_norm)), updates), state

    return optax.GradientTransformation(lambda p: optax.EmptyState(), update)


def optimizer_for(sc):
    """The optax optimizer of a peer_protocol.step_config."""
    if sc["optimizer"] == "adam":
        return optax.adam(sc["lr"], b1=sc["beta1"], b2=sc["beta2"], eps=sc["eps"])
    if sc["optimizer"] == "sgd":
        return optax.sgd(sc["lr"])
    raise ValueError(f"no optax peer optimizer for {sc['optimizer']}")


def make_runner(params, loss_fn, batches, lr, clip, steps, warmup, notes, carry=None, optimizer=None, eta=0.01, gamma=0.55, check=False):
    """loss_fn(params, batch[, carry]) -> loss (or (loss, carry) when carry is given). optimizer: default sgd(lr).
    check: give the Runner a check() (loss and raw gradient norm of batch 0 at the initial params; with params
    a dict by anneal's names, each parameter's gradient norm too)."""
    opt = optax.chain(clip, optax.add_noise(eta, gamma, jax.random.key(1)), optimizer or optax.sgd(lr))
    has_carry = carry is not None

    def step(params, opt_state, batch, carry):
        if has_carry:
            (loss, carry), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, batch, carry)
        else:
            loss, grads = jax.value_and_grad(loss_fn)(params, batch)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss, carry

    jstep = jax.jit(step, donate_argnums=(0, 1))
    data = [jax.tree.map(jnp.asarray, b) for b in batches]
    st = {"params": params, "opt": opt.init(params), "carry": carry, "t": 0}

    def one():
        st["params"], st["opt"], loss, st["carry"] = jstep(st["params"], st["opt"], data[st["t"] % len(data)], st["carry"])
        st["t"] += 1
        return float(loss)

    def check_fn():
        loss, grads = jax.jit(jax.value_and_grad(loss_fn))(st["params"], data[0])
        sq = jax.tree.map(lambda g: float(np.sum(np.asarray(g, np.float64) ** 2)), grads)
        out = {"loss": float(loss), "gradNorm": math.sqrt(sum(jax.tree.leaves(sq)))}
        if isinstance(sq, dict):
            out["gradNorms"] = {k: math.sqrt(v) for k, v in sq.items()}
        return out

    return Runner(one, steps, warmup, notes, check=check_fn if check else None)
