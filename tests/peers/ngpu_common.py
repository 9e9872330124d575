"""What every framework's Neural GPU peer reads from anneal's export (framework-free; see ngpu_torch.py).

anneal's model (plugins/neural-gpu): an h × w × m mental image; row 0 = tanh(E[input]) · K_in + b_in, the
other rows 0, times the input mask; then max(length) steps of `layers` CGRUs
  u = σ'(U'∗s + B'),  r = σ'(U''∗s + B''),  s ← u ⊙ s + (1 − u) ⊙ tanh(U∗(r ⊙ s) + B),
σ'(x) = clip(cutoff·σ(x) − (cutoff − 1)/2, 0, 1), 3×3 SAME convolutions over (height, width) with HWIO
kernels [3, 3, m, m]; after each step the image is masked again and example i's row 0 is read after step
max(1, length_i); logits = that · K_out + b_out; loss = Σ masked cross-entropy / (b · w).
"""
import numpy as np

CGRU_PARTS = ("update", "reset", "candidate")


def ngpu_config(meta):
    d = meta["describe"]
    if d.get("copies", 1) != 1:
        raise ValueError("the Neural GPU peers implement copies = 1 (the quick config) only")
    if d.get("dropout", 0) != 0:
        raise ValueError("the Neural GPU peers implement dropout 0 (the quick config) only")
    return {"height": int(str(d["image"]).split()[0]), "layers": int(d["layers"]), "cutoff": float(d["cutoff"]), "vocab": int(d["vocab"])}


def ngpu_batch(b):
    """The batch plus `ending` [steps, B]: 1 where example i's output is read after step t (max(1, length_i) = t + 1)."""
    lengths = np.maximum(1, b["length"])
    steps = int(lengths.max())
    ending = (lengths[None, :] == np.arange(1, steps + 1)[:, None]).astype(np.float32)
    return {"input": b["input"], "target": b["target"], "mask": b["mask"], "ending": ending}


def cell_names(layers):
    """Parameter names of copy 0's CGRU layers, in anneal's naming: [(kernel, bias) per part] per layer."""
    return [[(f"cgru0.{l}/{p}/kernel", f"cgru0.{l}/{p}/bias") for p in CGRU_PARTS] for l in range(layers)]
