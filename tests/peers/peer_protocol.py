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

Correctness check (tests/src/bench/peers/peer-check.ts): for some models the json also holds anneal's initial
weights ("params": name -> file) and anneal's loss and gradient norm on batch 0 at them ("reference"). A peer
for such a model starts from those weights (meta["paramValues"]), and its Runner has a `check()` that returns
{"loss", "gradNorm"} (the global norm of the raw gradients) of batch 0 before any step; setup reports it.
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


def load_params(data_dir, meta):
    """anneal's initial weights, name -> float32 array (empty when the model has no check)."""
    return {name: np.fromfile(os.path.join(data_dir, t["file"]), dtype=np.float32).reshape(t["shape"]) for name, t in meta.get("params", {}).items()}


def step_config(meta):
    """The step of anneal's recipe (meta["step"]: its optimizer and plugins) as the peers need it:
    {optimizer, lr, beta1, beta2, eps, clip (global norm), eta, gamma}, with anneal's defaults. Any other
    plugin, or noise not after the clip, is refused: the peer would not be the same step."""
    opt, plugins = meta["step"]["optimizer"], meta["step"]["plugins"]
    c = opt.get("config", {})
    out = {"optimizer": opt["name"], "lr": c["learningRate"], "beta1": c.get("beta1", 0.9), "beta2": c.get("beta2", 0.999), "eps": c.get("epsilon", 1e-8)}
    for p in plugins:
        pc = p.get("config", {})
        if p["plugin"] == "clip-global-norm" and "eta" not in out:
            out["clip"] = pc["maxNorm"]
        elif p["plugin"] == "annealed-gaussian" and p.get("at", "post-clip") == "post-clip":
            out["eta"], out["gamma"] = pc.get("eta", 0.01), pc.get("gamma", 0.55)
        else:
            raise ValueError(f"the peers implement clip-global-norm then annealed-gaussian (post-clip) only, not {p}")
    if "clip" not in out or "eta" not in out:
        raise ValueError(f"the peers expect a global-norm clip and annealed noise, got {plugins}")
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
