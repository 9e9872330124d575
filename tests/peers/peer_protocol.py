"""The line protocol every contestant of `npm run bench -- --peers` speaks (anneal's side:
tests/src/bench/peers/anneal-peer.ts).

One JSON request per stdin line, one reply per stdout line prefixed with "@@peer " (anything else a
framework prints is ignored by the coordinator):
  (on start)                                      -> {"ok": true, "name": ..., "version": ...}
  {"op": "setup", "model", "dataDir", "steps", "warmup"} -> {"ok": true, "notes": [...], "check"?: {...}}   (builds + warms up)
  {"op": "run", "model"}                          -> {"ok": true, "ms": [...]}   per-step wall times
  {"op": "quit"}
A step is timed like anneal's trainerLoop: a timestamp after every step (the loss read back to the
host each step), the intervals between consecutive stamps, the first `warmup` intervals dropped.

The data are the batches anneal's own dataset code built for the same recipe (written by the anneal
contestant to dataDir/<model>.json + raw little-endian .bin files), so every side trains on the same
values; the peers cycle through those batches.

Correctness check (tests/src/bench/peers/peer-check.ts): for every model the json also holds anneal's initial
weights ("params": name -> file), anneal's loss and gradient norm on batch 0 at them ("reference"), and, per update
case, anneal's parameters after one step from them on batch 0 with the noise plugin removed and the clip at
`maxNorm` ("updates": [{maxNorm, engaged, params: name -> file}]; case 1 is the recipe's clip, case 2 a max norm at
which the clip acts on batch 0; tests/src/bench/peers/update-check.ts). A peer starts from those weights
(meta["paramValues"]), and its Runner has a `check()` that returns, before any step, {"loss", "gradNorm"} (the
global norm of the raw gradients), "gradNorms" (each parameter's, by anneal's name) of batch 0, and "updates":
update_report() of its own parameters after each case's step on batch 0 (no noise; case 1 with the peer's own clip,
the one its timed steps use, case 2 with its clip function at the case's max norm; the optimizer with a fresh state;
the weights are put back after it). The noise is left out because samples of
different RNGs cannot be compared; its formula is noise_std below (optax.add_noise in the JAX peers). setup
reports the check.
"""
import json
import os
import sys
import time
import traceback

import numpy as np

_out = sys.stdout


def reply(msg):
    _out.write("@@peer " + json.dumps(msg) + "\n")
    _out.flush()


def load_data(data_dir, model):
    with open(os.path.join(data_dir, f"{model}.json")) as f:
        meta = json.load(f)
    batches = []
    for entry in meta["batches"]:
        b = {}
        for key, t in entry.items():
            arr = np.fromfile(os.path.join(data_dir, t["file"]), dtype=np.float32 if t["dtype"] == "float32" else np.int32)
            b[key] = arr.reshape(t["shape"])
        batches.append(b)
    return meta, batches


def load_params(data_dir, meta, key="params"):
    """anneal's initial weights (meta["params"]), or the parameters after a noise-free step, name -> float32 array."""
    return {name: np.fromfile(os.path.join(data_dir, t["file"]), dtype=np.float32).reshape(t["shape"]) for name, t in meta.get(key, {}).items()}


def update_cases(data_dir, meta):
    """anneal's update cases: [{"maxNorm", "engaged", "values": name -> float32 array after its step}]."""
    return [{"maxNorm": u["maxNorm"], "engaged": u["engaged"], "values": load_params(data_dir, u)} for u in meta.get("updates", [])]


def update_report(values, meta, case):
    """The peer's parameters after its noise-free step of update case `case` (name -> array in anneal's layout)
    against anneal's, per parameter: diff = |θ'_peer − θ'_anneal|₂, step = |θ'_anneal − θ₀|₂, maxAbs, maxStep (max
    entries of the same). Judged on anneal's side (update-check.ts)."""
    out = {}
    for name, ref in meta["updateCases"][case]["values"].items():
        if name not in values:
            continue
        got, ref, init = (np.asarray(a, np.float64) for a in (values[name], ref, meta["paramValues"][name]))
        d, st = got.reshape(ref.shape) - ref, ref - init
        out[name] = {"diff": float(np.sqrt(np.sum(d * d))), "step": float(np.sqrt(np.sum(st * st))),
                     "maxAbs": float(np.max(np.abs(d))), "maxStep": float(np.max(np.abs(st)))}
    return out


def step_config(meta):
    """The step of anneal's recipe (meta["step"]: its optimizer and plugins) as the peers need it:
    {optimizer, lr, beta1, beta2, eps, clip (the max norm), clipKind ("global": clip-global-norm, "tensor":
    clip-tensor-norm, each tensor on its own), eta (None: no noise, env ANNEAL_PEER_NOISE=off), gamma}, with anneal's defaults. Any other plugin, or noise not
    after the clip, is refused: the peer would not be the same step."""
    opt, plugins = meta["step"]["optimizer"], meta["step"]["plugins"]
    c = opt.get("config", {})
    out = {"optimizer": opt["name"], "lr": float(c["learningRate"]), "beta1": c.get("beta1", 0.9), "beta2": c.get("beta2", 0.999), "eps": c.get("epsilon", 1e-8)}
    for p in plugins:
        pc = p.get("config", {})
        if p["plugin"] in ("clip-global-norm", "clip-tensor-norm") and "eta" not in out and "clip" not in out:
            out["clip"], out["clipKind"] = float(pc["maxNorm"]), "global" if p["plugin"] == "clip-global-norm" else "tensor"
        elif p["plugin"] == "annealed-gaussian" and p.get("at", "post-clip") == "post-clip":
            out["eta"], out["gamma"] = pc.get("eta", 0.01), pc.get("gamma", 0.55)
        else:
            raise ValueError(f"the peers implement clip-global-norm then annealed-gaussian (post-clip) only, not {p}")
    if "clip" not in out or "eta" not in out:
        raise ValueError(f"the peers expect a norm clip and annealed noise, got {plugins}")
    if os.environ.get("ANNEAL_PEER_NOISE") == "off":  # `npm run bench -- --peers --noise-share`: the same step without its noise
        out["eta"] = None
    return out


def noise_std(eta, gamma, t):
    """Annealed Gaussian noise of the paper (Eq. 1): variance eta / (1 + t)^gamma, t = updates done."""
    return (eta / (1.0 + t) ** gamma) ** 0.5


def intervals(stamps, warmup):
    return [(stamps[i] - stamps[i - 1]) * 1000.0 for i in range(max(1, warmup), len(stamps))]


class Runner:
    """What a framework's setup returns: `step()` runs one training step and reads the loss back."""

    def __init__(self, step, steps, warmup, notes, check=None):
        self.step, self.steps, self.warmup, self.notes, self.check = step, steps, warmup, notes, check

    def run(self):
        stamps = []
        for _ in range(self.steps):
            self.step()
            stamps.append(time.perf_counter())
        return intervals(stamps, self.warmup)


def serve(name, version, builders):
    """builders: {model name: fn(meta, batches, steps, warmup) -> Runner}."""
    # Frameworks print to stdout at times: keep the protocol on the real stdout only.
    sys.stdout = sys.stderr
    reply({"ok": True, "name": name, "version": version})
    runners = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            op = req["op"]
            if op == "quit":
                break
            model = req["model"]
            if op == "setup":
                if model not in builders:
                    reply({"ok": False, "error": f"{name} has no peer for model '{model}' yet"})
                    continue
                meta, batches = load_data(req["dataDir"], model)
                meta["paramValues"] = load_params(req["dataDir"], meta)
                meta["updateCases"] = update_cases(req["dataDir"], meta)
                runner = builders[model](meta, batches, int(req["steps"]), int(req["warmup"]))
                check = runner.check() if runner.check else None  # before any step: at anneal's initial weights
                for _ in range(2):  # compile / warm up outside the timed rounds (anneal's plans are also built once)
                    runner.step()
                runners[model] = runner
                reply({"ok": True, "notes": runner.notes, **({"check": check} if check else {})})
            elif op == "run":
                reply({"ok": True, "ms": runners[model].run()})
            else:
                reply({"ok": False, "error": f"unknown op {op}"})
        except Exception:  # noqa: BLE001 - reported to the coordinator
            reply({"ok": False, "error": traceback.format_exc()})
