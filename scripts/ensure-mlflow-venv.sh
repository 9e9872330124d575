#!/usr/bin/env bash
# Create ./.mlflow-venv (at the repository root) with the pinned `mlflow` package.
# Idempotent: quiet and fast when the venv already holds the pinned version.
# Used by .ci/run and by the MLflow tests (plugins/mlflow), which start a real `mlflow server`.
#
#   scripts/ensure-mlflow-venv.sh            # create or upgrade if needed
#   MLFLOW_VERSION=3.17.2 scripts/ensure-mlflow-venv.sh
#   PYTHON=python3.11 scripts/ensure-mlflow-venv.sh
set -euo pipefail

# 3.17.2 is the newest that installs: mlflow 3.18.0 pins mlflow-skinny==3.18.0, which is not on PyPI.
# Keep in sync with PINNED_MLFLOW_VERSION in plugins/mlflow/src/cli/mlflow-up.ts.
MLFLOW_VERSION="${MLFLOW_VERSION:-3.17.2}"
PYTHON="${PYTHON:-python3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MLFLOW_VENV:-$ROOT/.mlflow-venv}"

installed_version() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" - <<'EOF' 2>/dev/null
import importlib.metadata as m
print(m.version("mlflow"))
EOF
}

current="$(installed_version || true)"
if [ "$current" = "$MLFLOW_VERSION" ] && [ -x "$VENV/bin/mlflow" ]; then
  exit 0
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "ensure-mlflow-venv: $PYTHON not found; install Python >= 3.10 (or set PYTHON=...)" >&2
  exit 1
fi

if [ -n "$current" ]; then
  echo "ensure-mlflow-venv: $VENV has mlflow $current, installing $MLFLOW_VERSION" >&2
else
  echo "ensure-mlflow-venv: creating $VENV with mlflow $MLFLOW_VERSION (this takes a few minutes)" >&2
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "mlflow==$MLFLOW_VERSION" >&2

got="$(installed_version || true)"
if [ "$got" != "$MLFLOW_VERSION" ]; then
  echo "ensure-mlflow-venv: install failed (found '${got:-nothing}', wanted $MLFLOW_VERSION)" >&2
  exit 1
fi
echo "ensure-mlflow-venv: $VENV ready (mlflow $got)" >&2
