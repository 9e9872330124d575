#!/usr/bin/env bash
# Creates .bench-venv (gitignored): the Python peers of `npm run bench -- --peers` (tests/peers/*.py).
# Idempotent: does nothing when the pinned versions already import. Packages come from PyPI only
# (pip's cache and ~/.cache/anneal/wheels are used when they hold them).
#   - tensorflow-cpu 2.21.0 (+ Keras 3), jax/jaxlib 0.10.2 + optax 0.2.8, numpy
#   - torch 2.15.0 from PyPI *without* its nvidia-* / cuda-* / triton dependencies (several GB): PyPI has no
#     CPU-only torch for Linux x86_64, so the CUDA build is installed with --no-deps plus its pure-Python
#     dependencies, and scripts/bench-venv/torch_cuda_stubs.py writes stub CUDA libraries (with the
#     SONAMEs and symbol versions torch's libraries ask for) that make it import and run on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.bench-venv
PY=${ANNEAL_BENCH_PYTHON:-python3.11}
TORCH=2.15.0 TF=2.21.0 JAX=0.10.2 OPTAX=0.2.8
WHEELS="$HOME/.cache/anneal/wheels"
CHECK="import torch, jax, optax, tensorflow, keras; assert torch.__version__.startswith('$TORCH') and jax.__version__ == '$JAX' and optax.__version__ == '$OPTAX' and tensorflow.__version__ == '$TF'"

if [ -x "$VENV/bin/python" ] && TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" -c "$CHECK" >/dev/null 2>&1; then
  echo "bench venv ready: $VENV (torch $TORCH CPU via stubs, jax $JAX + optax $OPTAX, tensorflow-cpu $TF)"
  exit 0
fi
command -v "$PY" >/dev/null || { echo "ensure-bench-venv: $PY not found (tensorflow-cpu $TF needs CPython 3.11; set ANNEAL_BENCH_PYTHON)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "ensure-bench-venv: gcc not found (needed for torch's CUDA stub libraries)" >&2; exit 1; }
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP=("$VENV/bin/pip" install --quiet --disable-pip-version-check)
[ -d "$WHEELS" ] && PIP+=(--find-links "$WHEELS")
echo "bench venv: installing tensorflow-cpu $TF, jax $JAX, optax $OPTAX …"
"${PIP[@]}" "tensorflow-cpu==$TF" "jax==$JAX" "jaxlib==$JAX" "optax==$OPTAX" numpy
echo "bench venv: installing torch $TORCH without its CUDA wheels …"
"${PIP[@]}" --no-deps "torch==$TORCH"
# torch's own Requires-Dist, less cuda-toolkit / cuda-bindings / nvidia-* / triton:
"${PIP[@]}" filelock 'typing-extensions>=4.13.0' 'setuptools>=77.0.3' 'sympy>=1.13.3' 'networkx>=2.5.1' jinja2 'fsspec>=0.8.5'
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$VENV/bin/python" scripts/bench-venv/torch_cuda_stubs.py "$SITE"
TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" -c "$CHECK; import torch; assert not torch.cuda.is_available(); torch.ones(2, requires_grad=True).sum().backward()"
echo "bench venv ready: $VENV ($(du -sh "$VENV" | cut -f1))"
