"""What every framework's Neural Programmer peer shares (framework-free; see np_jax.py), as in
plugins/neural-programmer (forward.ts, model.ts), single-column tables only (the quick config: no
text_match, a one-directional question RNN).

anneal's model, soft selection (training): a masked tanh question RNN z_i = m_i·tanh([z_{i−1}; x_i]W^q) +
(1 − m_i)·z_{i−1} over word embeddings; q = its last state; pivots β_op = masked softmax(Z·U(op)) over the
states left of the question numbers, pivot_op = Σ β·numbers (op = greater, lesser); hard comparisons
1[table > pivot] with zero gradient; T steps of h = tanh([c; h]W^h), op and column attention
masked softmax(tanh([q; h]W^sel)·Uᵀ / Pᵀ), c = [α_op·U; α_col·P], the 9 operations combined by α_op
(scalar = count, diff, sum; lookup = α_col·α_assign·row_select; row_select = and (min), or (max), reset,
greater, lesser). Loss: mean over the batch of Huber(δ) (scalar answers) or λ·mean-cell BCE (lookups, p
clipped to [1e−7, 1 − 1e−7]).

Ties: tfjs gives minimum's gradient to its first argument where a ≤ b, maximum's where a ≥ b, and clip's
where lo ≤ x ≤ hi; the peers write min / max / clip with `where` so the gradients are the same at ties.
"""
OPS = ("sum", "count", "diff", "greater", "lesser", "and", "or", "assign", "reset", "text_match")
OP = {name: i for i, name in enumerate(OPS)}
NEG = -1e9


def np_config(meta):
    d, info = meta["describe"], meta["info"]
    if info.get("textColumns", 0) or d.get("bidirectional"):
        raise ValueError("the Neural Programmer peers implement single-column tables only (no text_match, one-directional question RNN)")
    if list(d["operations"]) != list(OPS[:9]):
        raise ValueError(f"anneal's operations {d['operations']} are not the peers' {OPS[:9]}")
    return {"steps": int(d["steps"]), "lambda": float(d["lambda"]), "delta": float(d["huberDelta"]), "columnWords": list(info["columnWords"])}


KEYS = ("words", "wordMask", "numbers", "numberPos", "numberMask", "table", "rowMask", "columnMask", "isScalar", "scalarAnswer", "lookupAnswer")


def np_batch(b):
    """The batch tensors the loss reads (not `category`)."""
    return {k: b[k] for k in KEYS}
