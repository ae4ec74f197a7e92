#!/usr/bin/env bash
# The learner's start: set up the learner tools in .venv (no instructor tools), then open
# lesson 1 in JupyterLab. Extra arguments go to `jupyter lab` (e.g. --no-browser --port 8890).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_system_packages graphviz
setup_venv learner
cd "$ROOT"
as_root=()
[ "$(id -u)" -eq 0 ] && as_root=(--allow-root)     # containers and cloud machines run as root
say "opening lesson 1 in JupyterLab (stop it with Ctrl+C; your work is in lessons/)"
# The repository root is its root folder (every lesson in its file browser); lesson 1 opens.
exec jupyter lab --ServerApp.root_dir="$ROOT" \
    --LabApp.default_url=/lab/tree/lessons/01-value/01-value.ipynb "${as_root[@]}" "$@"
