#!/usr/bin/env bash
# Set up and run the whole test suite (the slow tests included). Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# nodejs npm: the site build fetches Pyodide and viz-js with `npm pack` (lite/assets.py).
setup_system_packages graphviz bubblewrap chromium fonts-dejavu-core nodejs npm
setup_venv dev
cd "$ROOT"
say "ruff"
ruff check .
say "pytest"
# pytest exits 5 when it collected no test: that is a failure here, like any other non-zero code.
python -m pytest -n 2 "$@"
