"""The hidden suites, one module per stage (`suite_NN_name.py`).

Named `suite_*` so that no default pytest collection (test_*.py, *_test.py) picks them
up; they run through `autograder.runner`, which compares each learner's answers with
the reference's. Never copied into lessons/.
"""
