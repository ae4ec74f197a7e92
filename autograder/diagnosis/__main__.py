"""python -m autograder.diagnosis [--check]: regenerate the bugs' signatures (signatures.py)."""

import sys

from autograder.diagnosis.signatures import main

sys.exit(main())
