"""The hidden suites: one pytest module per stage (`suite_NN_name.py`), never released.

Named `suite_*` so that no default pytest collection (test_*.py, *_test.py) picks them
up; they run with their own pytest.ini and the plugin in conftest.py, through
`autograder.runner` or directly with `pytest`:

    pytest autograder/suites/suite_04_backward.py --notebook path/to/04-backward.ipynb
"""
