"""The TensorFlow contestant's training step (shared by keras_peer.py and the *_tf.py files).

One tf.function (no XLA: jit_compile was slower here): the loss under tf.GradientTape, the clip (a function of
the gradient list), annealed Gaussian noise N(0, eta/(1+t)^gamma) from tf.random.normal on every (dense)
gradient entry, the optimizer, loss read back each step. Optimizers: keras.optimizers.SGD, or FusedAdam
(TF's fused ResourceApplyAdam kernel with anneal's form of Adam; keras' Adam adds ε to sqrt(v) unscaled,
i.e. ε̂ = ε·sqrt(1−β₂ᵏ) of anneal's form).
"""
import math

import numpy as np
import tensorflow as tf
import keras

from peer_protocol import Runner, update_report


def global_clip(c):
    return lambda grads: tf.clip_by_global_norm(grads, c)[0]


def tensor_clip(c):
    return lambda grads: [tf.clip_by_norm(g, c) for g in grads]


def clip_for(sc, max_norm=None):
    """The clip of a peer_protocol.step_config (at max_norm, default the recipe's): global norm, or per tensor."""
    c = sc["clip"] if max_norm is None else max_norm
    return global_clip(c) if sc["clipKind"] == "global" else tensor_clip(c)


class KerasSGD:
    def __init__(self, variables, lr):
        self.opt = keras.optimizers.SGD(learning_rate=lr)

    def apply(self, grads, variables):
        self.opt.apply_gradients(zip(grads, variables))

    def reset(self):
        """Back to the state before the first step (plain SGD keeps only the step count)."""
        self.opt.iterations.assign(0)


class FusedAdam:
    """θ ← θ − α·m̂/(sqrt(v̂) + ε), as anneal's adam plugin: ResourceApplyAdam computes
    θ ← θ − α·sqrt(1−β₂ᵏ)/(1−β₁ᵏ)·m/(sqrt(v) + ε'), which is that form with ε' = ε·sqrt(1−β₂ᵏ)."""

    def __init__(self, variables, lr, eps, beta1=0.9, beta2=0.999):
        self.lr, self.eps, self.b1, self.b2 = lr, eps, beta1, beta2
        self.m = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
        self.v = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
        self.k = tf.Variable(0.0, trainable=False)

    def reset(self):
        """Back to the state before the first step."""
        for s in self.m + self.v:
            s.assign(tf.zeros_like(s))
        self.k.assign(0.0)

    def apply(self, grads, variables):
        k = self.k.assign_add(1.0)
        b1p, b2p = tf.pow(self.b1, k), tf.pow(self.b2, k)
        eps = self.eps * tf.sqrt(1.0 - b2p)
        c = lambda x: tf.constant(x, tf.float32)
        for var, m, v, g in zip(variables, self.m, self.v, grads):
            tf.raw_ops.ResourceApplyAdam(var=var.handle, m=m.handle, v=v.handle, beta1_power=b1p, beta2_power=b2p, lr=c(self.lr),
                                         beta1=c(self.b1), beta2=c(self.b2), epsilon=eps, grad=g, use_locking=False)


def optimizer_for(sc, variables):
    """The optimizer of a peer_protocol.step_config."""
    if sc["optimizer"] == "adam":
        return FusedAdam(variables, sc["lr"], sc["eps"], sc["beta1"], sc["beta2"])
    if sc["optimizer"] == "sgd":
        return KerasSGD(variables, sc["lr"])
    raise ValueError(f"no tensorflow peer optimizer for {sc['optimizer']}")


def make_runner(variables, loss_fn, batches, lr, clip, steps, warmup, notes, carry=None, optimizer=None, eta=0.01, gamma=0.55, check=False, names=None,
                meta=None, export=None, clip_at=global_clip):
    """loss_fn(batch[, carry]) -> loss (or (loss, new carry)); carry: a list of tf.Variables (state kept between steps).
    optimizer: an object with apply(grads, variables) and reset() (default KerasSGD(lr)). check: give the Runner a
    check() (with `names`, anneal's names of the variables, each one's gradient norm too; with `meta`, the update
    check of peer_protocol.update_report after each case's noise-free step, the clip made by clip_at(max norm),
    through `export` (-> name -> array in anneal's layout; default: the variables by `names`))."""
    opt = optimizer or KerasSGD(variables, lr)
    t = tf.Variable(0.0, trainable=False)

    @tf.function
    def step(batch):
        with tf.GradientTape() as tape:
            if carry is not None:
                loss, new = loss_fn(batch, [c.read_value() for c in carry])
            else:
                loss = loss_fn(batch)
        grads = clip(tape.gradient(loss, variables))
        grads = [tf.convert_to_tensor(g) for g in grads]  # IndexedSlices → dense: noise on every entry
        if eta is not None:  # None (--noise-share): the step without its noise
            std = tf.sqrt(eta / tf.pow(1.0 + t, gamma))
            grads = [g + tf.random.normal(tf.shape(g)) * std for g in grads]
        opt.apply(grads, variables)
        t.assign_add(1.0)
        if carry is not None:
            for c, v in zip(carry, new):
                c.assign(v)
        return loss

    data = [{k: tf.constant(v) for k, v in b.items()} for b in batches]
    st = {"i": 0}

    def one():
        loss = step(data[st["i"] % len(data)])
        st["i"] += 1
        return float(loss.numpy())

    def batch0_grads():  # eager, before any step: the carry holds its start
        with tf.GradientTape() as tape:
            loss = loss_fn(data[0]) if carry is None else loss_fn(data[0], [c.read_value() for c in carry])[0]
        return loss, [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)]

    def noise_free_step(max_norm):
        """The parameters after one step on batch 0 (clip at max_norm, None: the timed steps' clip; the optimizer from
        its start, no noise); the variables and the optimizer state are put back afterwards."""
        saved = [v.numpy() for v in variables]
        _, grads = batch0_grads()
        opt.apply([tf.convert_to_tensor(g) for g in (clip if max_norm is None else clip_at(max_norm))(grads)], variables)
        values = export() if export else {n: v.numpy() for n, v in zip(names, variables)}
        for v, s in zip(variables, saved):
            v.assign(s)
        opt.reset()
        return values

    def check_fn():
        loss, grads = batch0_grads()
        sq = [float(np.sum(g.numpy().astype(np.float64) ** 2)) for g in grads]
        out = {"loss": float(loss.numpy()), "gradNorm": math.sqrt(sum(sq))}
        if names:
            out["gradNorms"] = {n: math.sqrt(v) for n, v in zip(names, sq)}
        if meta is not None:
            out["updates"] = [update_report(noise_free_step(c["maxNorm"] if c["engaged"] else None), meta, i) for i, c in enumerate(meta["updateCases"])]
        return out

    return Runner(one, steps, warmup, notes, check=check_fn if check else None)
