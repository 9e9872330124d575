"""What every framework's NRAM peer shares (framework-free; see nram_jax.py): the 14 modules, their 0/1
tables, the controller's choice rows and their mask, as in plugins/nram (modules.ts, nram.ts).

anneal's model: R registers and an M×M memory, all distributions over {0..M−1} (registers start at 0, the
memory one-hot of the input). Each of T timesteps: an LSTM controller (gates i, f, o, g; input P(r_j = 0))
gives h; one dense layer gives logits [rows, R + Q] (+ a mask of −1e9 on the candidates a row may not pick),
a softmax per row: first one row per module argument (module i picks from r_1..r_R, o_1..o_{i−1}), then
one per register (its new value, from all R + Q); the modules run in circuit order (READ = ℳᵀp; WRITE
ℳ ← (1 − p)1ᵀ ⊙ ℳ + p aᵀ, output 0; the others (A ⊗ B) · table). Halting p_t = f_t Π_{s<t}(1 − f_s), p_T
the rest, f_t = σ(h · W_f + b_f). Loss: mean over the batch of −Σ_t p_t log max(ℳ_t[out, y], floor).
"""
import numpy as np

MODULES = (("READ", 1), ("ZERO", 0), ("ONE", 0), ("TWO", 0), ("INC", 1), ("ADD", 2), ("SUB", 2), ("DEC", 1),
           ("LESS-THAN", 2), ("LESS-OR-EQUAL-THAN", 2), ("EQUALITY-TEST", 2), ("MIN", 2), ("MAX", 2), ("WRITE", 2))

_FUNCTIONS = {
    "ZERO": lambda a, b, M: 0, "ONE": lambda a, b, M: 1 % M, "TWO": lambda a, b, M: 2 % M,
    "INC": lambda a, b, M: (a + 1) % M, "DEC": lambda a, b, M: (a - 1) % M,
    "ADD": lambda a, b, M: (a + b) % M, "SUB": lambda a, b, M: (a - b) % M,
    "LESS-THAN": lambda a, b, M: int(a < b), "LESS-OR-EQUAL-THAN": lambda a, b, M: int(a <= b),
    "EQUALITY-TEST": lambda a, b, M: int(a == b), "MIN": lambda a, b, M: min(a, b), "MAX": lambda a, b, M: max(a, b),
}

# anneal's nram schema default (plugins/nram/src/plugin.ts); a recipe may set model.config.logFloor.
LOG_FLOOR = 1e-20


def table(name, arity, M):
    """Unary [M, M] (row a one-hot at f(a)), binary [M·M, M] (row a·M + b one-hot at f(a, b)); None for READ/WRITE/constants."""
    if arity == 0 or name in ("READ", "WRITE"):
        return None
    rows = M * M if arity == 2 else M
    t = np.zeros((rows, M), np.float32)
    for r in range(rows):
        a, b = (r // M, r % M) if arity == 2 else (r, 0)
        t[r, _FUNCTIONS[name](a, b, M)] = 1
    return t


def choice_mask(R):
    """[rows · (R + Q)] additive mask: −1e9 where a row may not pick (module i's arguments: only R + i candidates)."""
    Q = len(MODULES)
    avail = [R + i for i, (_, arity) in enumerate(MODULES) for _ in range(arity)] + [R + Q] * R
    K = R + Q
    mask = np.zeros((len(avail), K), np.float32)
    for row, n in enumerate(avail):
        mask[row, n:] = -1e9
    return mask.reshape(-1), len(avail)


def nram_config(meta):
    d = meta["describe"]
    if list(d["modules"]) != [name for name, _ in MODULES]:
        raise ValueError(f"anneal's NRAM modules {d['modules']} are not the peers' {MODULES}")
    cfg = (meta.get("recipeModel") or {}).get("config", {})
    M, R = int(d["memorySize"]), int(d["registers"])
    mask, rows = choice_mask(R)
    return {"M": M, "R": R, "T": int(d["timesteps"]), "H": int(d["hidden"]), "out": int(meta["info"]["outputCell"]),
            "floor": float(cfg.get("logFloor", LOG_FLOOR)), "mask": mask, "rows": rows,
            "tables": [table(name, arity, M) for name, arity in MODULES]}
