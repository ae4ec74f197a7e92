"""Answers as plain data: what a probe returns, reduced to JSON's own types.

The worker sends every answer through `plain`, and the trusted side passes the
reference's answers through the same function, so both sides compare like with like.
"""

_MAX_DEPTH = 32


def plain(value, depth=0):
    """Only JSON's own types leave: exact floats/ints/strs/bools/None, lists and str-keyed dicts.

    A float subclass is reduced to the float it really holds (numpy's float64 is
    one); any other object becomes a marker naming its type, which never equals
    an expected value.
    """
    if depth > _MAX_DEPTH:
        return {'__unplain__': 'structure nested too deeply'}
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value)
    if kind.__module__ == 'numpy' and hasattr(value, 'item') and getattr(value, 'ndim', 1) == 0:
        return plain(value.item(), depth + 1)
    if kind in (list, tuple):
        return [plain(item, depth + 1) for item in value]
    if kind is dict and all(type(key) is str for key in value):
        return {key: plain(item, depth + 1) for key, item in value.items()}
    return {'__unplain__': kind.__name__}
