#!/usr/bin/env bash
# Set up and run the main job: train on two moons and write the figures into out/demo.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_system_packages graphviz
setup_venv learner
cd "$ROOT"
say "training the two-moons demo (about a minute)"
python -m micrograd demo --out out/demo
