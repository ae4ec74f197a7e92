#!/usr/bin/env bash
# Set up and run the whole test suite (the slow tests included). Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_system_packages graphviz bubblewrap chromium fonts-dejavu-core
setup_node
setup_venv dev
cd "$ROOT"
say "ruff"
ruff check .
say "pytest"
# pytest exits 5 when it collected no test: that is a failure here, like any other non-zero code.
python -m pytest -n 2 "$@"
