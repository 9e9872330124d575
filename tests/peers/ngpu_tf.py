"""Neural GPU (quick config) in plain TensorFlow (tf.function, no Keras layers) for `npm run bench -- --peers`
(model: ngpu_common.py).

Layout NHWC [b, h, w, m]; the 3×3 convolutions are tf.nn.conv2d (SAME, HWIO: anneal's kernels as they are;
anneal: 9 row shifts + matMuls, same values); the max(length) steps are unrolled in the traced graph.
Embedding by tf.gather (anneal: one-hot · E), its gradient made dense before the noise. Starts from anneal's
initial weights; Adam through TF's fused ResourceApplyAdam kernel in anneal's form (tf_step.FusedAdam).
"""
import tensorflow as tf

from ngpu_common import cell_names, ngpu_batch, ngpu_config
from peer_protocol import step_config
from tf_step import global_clip, make_runner, optimizer_for


def build(meta, batches, steps, warmup):
    cfg = ngpu_config(meta)
    P = {k: tf.Variable(v, name=k.replace("/", "_").replace(".", "_")) for k, v in meta["paramValues"].items()}
    names = cell_names(cfg["layers"])
    h, cutoff = cfg["height"], cfg["cutoff"]

    def sig(x):
        return tf.clip_by_value(cutoff * tf.sigmoid(x) - (cutoff - 1) / 2, 0.0, 1.0)

    def conv(x, k, b):
        return tf.nn.conv2d(x, k, 1, "SAME") + b

    def loss_fn(b):
        inp, target, mask, ending = b["input"], b["target"], b["mask"], b["ending"]
        B, W = inp.shape
        x = tf.tanh(tf.gather(P["embedding"], inp))  # [B, W, m]
        row0 = tf.matmul(x, P["input/kernel"]) + P["input/bias"]
        mask_img = mask[:, None, :, None]
        s = tf.concat([row0[:, None], tf.zeros((B, h - 1, W, row0.shape[-1]))], 1) * mask_img
        out = 0.0
        for t in range(ending.shape[0]):
            for (ku, bu), (kr, br), (kc, bc) in names:
                u = sig(conv(s, P[ku], P[bu]))
                r = sig(conv(s, P[kr], P[br]))
                s = u * s + (1 - u) * tf.tanh(conv(r * s, P[kc], P[bc]))
            s = s * mask_img
            out = out + s[:, 0] * ending[t][:, None, None]
        logits = tf.matmul(out, P["output/kernel"]) + P["output/bias"]  # [B, W, V]
        ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=logits)
        return tf.reduce_sum(ce * mask) / (B * W)

    sc = step_config(meta)
    variables = list(P.values())
    data = [ngpu_batch(b) for b in batches]
    return make_runner(variables, loss_fn, data, sc["lr"], global_clip(sc["clip"]), steps, warmup,
                       ["plain tf.function", "tf.nn.conv2d NHWC (anneal: row shifts + matMuls)", "fused Adam kernel"],
                       optimizer=optimizer_for(sc, variables), eta=sc["eta"], gamma=sc["gamma"], check=True, names=list(P.keys()), meta=meta)
