"""JSON text in and out of the worker, with the C codec that the json module itself uses.

Importing json costs a worker a sixth of its start-up (json.decoder compiles regular
expressions at import, which pulls in re and enum); the worker needs only `_json`'s
scanner and encoder, set up as json.loads and json.dumps set them up by default. Where
`_json` is missing or takes other arguments (another Python), the json module does it.
"""


def _unencodable(value):
    raise TypeError(f'Object of type {type(value).__name__} is not JSON serializable')


class _Defaults:
    """What json.JSONDecoder() hands its scanner."""
    strict = True
    object_hook = object_pairs_hook = None
    parse_float, parse_int = float, int
    parse_constant = {'-Infinity': float('-inf'), 'Infinity': float('inf'),
                      'NaN': float('nan')}.__getitem__


def _encoder():
    # A new one per document: its table of containers being encoded (for cycles) must
    # start empty, even after a document that failed half-way.
    return _json.make_encoder({}, _unencodable, _json.encode_basestring_ascii, None,
                              ': ', ', ', False, False, True)


def _loads(text):
    """A JSON document (str, or UTF-8 bytes) as Python data; ValueError if it is not one."""
    if isinstance(text, (bytes, bytearray)):
        text = text.decode('utf-8')
    text = text.strip(' \t\n\r')
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        raise ValueError('not a JSON document') from None
    if end != len(text):
        raise ValueError('extra data after the JSON document')
    return value


def _dumps(value):
    """JSON text of plain data, the very text json.dumps(value) writes."""
    return ''.join(_encoder()(value, 0))


try:
    import _json
    _scan = _json.make_scanner(_Defaults())
    _encoder()
    loads, dumps = _loads, _dumps
except (ImportError, AttributeError, TypeError):    # pragma: no cover - not CPython's _json
    import json
    loads, dumps = json.loads, json.dumps
