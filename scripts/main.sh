#!/usr/bin/env bash
# Set up and run the main job on the bundled sample data:
#   1. grade the sample class in examples/submitted/ (grades, feedback, report, gradebook in out/grading/);
#   2. train the two-moons demo and write its figures into out/demo/.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_system_packages graphviz bubblewrap   # bubblewrap: the sandbox's namespaces
setup_venv instructor
cd "$ROOT"
say "grading the sample class in examples/submitted/"
autograder grade examples/submitted --out out/grading --jobs 2
say "training the two-moons demo (about a minute)"
python -m micrograd demo --out out/demo
