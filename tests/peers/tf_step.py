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

from peer_protocol import Runner


def global_clip(c):
    return lambda grads: tf.clip_by_global_norm(grads, c)[0]


class KerasSGD:
    def __init__(self, variables, lr):
        self.opt = keras.optimizers.SGD(learning_rate=lr)

    def apply(self, grads, variables):
        self.opt.apply_gradients(zip(grads, variables))


class FusedAdam:
    """θ ← θ − α·m̂/(sqrt(v̂) + ε), as anneal's adam plugin: ResourceApplyAdam computes
    θ ← θ − α·sqrt(1−β₂ᵏ)/(1−β₁ᵏ)·m/(sqrt(v) + ε'), which is that form with ε' = ε·sqrt(1−β₂ᵏ)."""

    def __init__(self, variables, lr, eps, beta1=0.9, beta2=0.999):
        self.lr, self.eps, self.b1, self.b2 = lr, eps, beta1, beta2
        self.m = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
        self.v = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
        self.k = tf.Variable(0.0, trainable=False)

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


def make_runner(variables, loss_fn, batches, lr, clip, steps, warmup, notes, carry=None, optimizer=None, eta=0.01, gamma=0.55, check=False, names=None):
    """loss_fn(batch[, carry]) -> loss (or (loss, new carry)); carry: a list of tf.Variables (state kept between steps).
    optimizer: an object with apply(grads, variables) (default KerasSGD(lr)). check: give the Runner a check()
    (with `names`, anneal's names of the variables, each one's gradient norm too)."""
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
        std = tf.sqrt(eta / tf.pow(1.0 + t, gamma))
        grads = [tf.convert_to_tensor(g) for g in grads]  # IndexedSlices → dense: noise on every entry
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

    def check_fn():
        with tf.GradientTape() as tape:
            loss = loss_fn(data[0])
        grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)]
        sq = [float(np.sum(g.numpy().astype(np.float64) ** 2)) for g in grads]
        out = {"loss": float(loss.numpy()), "gradNorm": math.sqrt(sum(sq))}
        if names:
            out["gradNorms"] = {n: math.sqrt(v) for n, v in zip(names, sq)}
        return out

    return Runner(one, steps, warmup, notes, check=check_fn if check and carry is None else None)
