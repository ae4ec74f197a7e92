"""Hidden suite of stage 03-graph: trace(root) and draw_dot(root, labels=None).

trace is compared with the reference's as sets of node and edge descriptions
(data and _op), so a learner may return lists or sets in any order.
"""

import re
from collections import Counter

import pytest

from autograder import isolation
from autograder.judge import Fail, ProbeError, show
from autograder.suites import replay
from autograder.suites.programs import (
    PRIMITIVE_OPS,
    assume,
    drawn_programs,
    program,
    program_text,
)

C = lambda c: {'c': c}  # noqa: E731 - a plain-number operand


def _key(node):
    data, op = node
    return (f'{data:.9g}' if isinstance(data, (int, float)) else str(data), op)


def _describe(key):
    data, op = key
    return f'Value(data={data}, _op={op!r})' if data != 'not a Value' else f'a {op}'


def _traced(sub, prog):
    try:
        got = sub.probe('trace', program=prog)
    except ProbeError as error:
        raise Fail(f'trace(root) for {program_text(prog)}: your code {error.describe()}') from None
    if not isinstance(got, dict):
        raise Fail(f'trace(root) must return (nodes, edges); got {show(got)}')
    return got


def compare_trace(sub, ref, prog):
    expected, got = ref.probe('trace', program=prog), _traced(sub, prog)
    where = f'trace(root) for {program_text(prog)}'
    nodes = Counter(_key(n) for n in got['nodes'])
    want = Counter(_key(n) for n in expected['nodes'])
    if any(count > 1 for count in nodes.values()) and sum(nodes.values()) > expected['count']:
        raise Fail(f'{where} lists {sum(nodes.values())} nodes, but the graph has '
                   f"{expected['count']}: each Value must appear once, even if it is used twice")
    missing = want - nodes
    if missing:
        raise Fail(f'{where} misses {_describe(next(iter(missing)))}: walk _prev from the root '
                   'all the way back to the leaves')
    extra = nodes - want
    if extra:
        raise Fail(f'{where} returns {_describe(next(iter(extra)))}, which is not in the graph')
    counted = Counter((_key(c), _key(p)) for c, p in got['edges'])
    twice = [edge for edge, count in counted.items() if count > 1]
    if twice and sum(counted.values()) > len(expected['edges']):
        child, parent = twice[0]
        raise Fail(f'{where} lists the edge from {_describe(child)} to {_describe(parent)} '
                   f'{counted[twice[0]]} times: an operand used twice by the same node (a + a) '
                   'gives one edge, not two')
    edges = set(counted)
    wanted = {(_key(c), _key(p)) for c, p in expected['edges']}
    if edges != wanted:
        reversed_edges = {(p, c) for c, p in wanted}
        if edges == reversed_edges:
            raise Fail(f'{where}: your edges point from result to operand; each edge is '
                       '(operand, result), in the direction the data flows')
        gone = wanted - edges
        if gone:
            child, parent = next(iter(sorted(gone)))
            raise Fail(f'{where} misses the edge from {_describe(child)} to {_describe(parent)}: '
                       'there is one edge (operand, result) for every operand of every node')
        child, parent = next(iter(sorted(edges - wanted)))
        raise Fail(f'{where} has an edge from {_describe(child)} to {_describe(parent)} that '
                   'is not in the graph')


@pytest.mark.points(2, name='graph-trace-nodes', what='trace(root) on small graphs')
def test_trace_small(sub, ref):
    compare_trace(sub, ref, program([2.0], ['exp', 0]))
    compare_trace(sub, ref, program([2.0, -3.0], ['mul', 0, 1], ['add', 2, C(10.0)]))


@pytest.mark.points(2, name='graph-trace-deep',
                    what='trace(root) on a graph several operations deep')
def test_trace_deep(sub, ref):
    compare_trace(sub, ref, program([0.5, -1.5, 2.0], ['mul', 0, 1], ['add', 3, 2],
                                    ['tanh', 4], ['pow', 5, 2], ['mul', 6, 2]))


@pytest.mark.points(2, name='graph-trace-shared', what='trace(root) when a Value is used twice')
def test_trace_shared(sub, ref):
    compare_trace(sub, ref, program([3.0], ['mul', 0, 0]))
    compare_trace(sub, ref, program([1.5, 2.0], ['add', 0, 1], ['mul', 2, 0], ['add', 3, 2]))


@pytest.mark.points(2, name='graph-trace-programs', what='trace(root) on random expressions')
def test_trace_programs(sub, ref):
    def check(prog):
        try:
            ref.probe('expression', program=prog)
        except ProbeError:
            assume(False)
        compare_trace(sub, ref, prog)

    replay.check('trace-programs', sub, check, lambda: drawn_programs(PRIMITIVE_OPS), 40)


@pytest.mark.points(2, name='graph-trace-shape',
                    what='trace on a leaf and on a chain of 5000 additions')
def test_trace_shape(sub, ref):
    try:
        leaf = sub.probe('trace_shape', leaf=True)
    except ProbeError as error:
        raise Fail(f'trace(x) for a leaf x: your code {error.describe()}') from None
    if leaf['types'] != ['list', 'list']:
        raise Fail(f"trace returns a {leaf['types'][0]} and a {leaf['types'][1]}, expected two "
                   'lists (nodes, edges)')
    if not leaf['root'] or leaf['edges'] != 0:
        raise Fail(f"trace(x) for a leaf x gives {leaf['nodes']} nodes and {leaf['edges']} "
                   'edges, expected ([x], [])')
    expected = ref.probe('trace_shape', chain=5000)
    try:
        got = sub.probe('trace_shape', chain=5000)
    except ProbeError as error:
        hint = (': keep your own stack of nodes to visit instead of calling trace (or a helper) '
                'recursively; Python allows about 1000 nested calls'
                if error.error['type'] == 'RecursionError' else '')
        raise Fail(f'trace(root) on a chain of 5000 additions (10001 nodes): your code '
                   f'{error.describe()}{hint}') from None
    if (got['nodes'], got['edges']) != (expected['nodes'], expected['edges']):
        raise Fail(f"trace(root) on a chain of 5000 additions gives {got['nodes']} nodes and "
                   f"{got['edges']} edges, expected {expected['nodes']} and {expected['edges']}")


LAYOUTS = (0, 1, 3, 7, 16)    # spare Values between the nodes: different addresses, same graph


@pytest.mark.points(1, name='graph-trace-deterministic',
                    what='the order of trace(root) from one run to the next')
def test_trace_deterministic(sub, ref):
    prog = program([0.5, -1.5, 2.0, 3.0], ['mul', 0, 1], ['add', 4, 2], ['mul', 5, 3],
                   ['add', 6, 0], ['tanh', 7], ['mul', 8, 1], ['add', 9, 2])
    try:
        got = sub.probe('trace_layouts', program=prog, paddings=list(LAYOUTS))
    except ProbeError as error:
        raise Fail(f'trace(root) for {program_text(prog)}: your code {error.describe()}') from None
    if any(answer != got[0] for answer in got[1:]):
        raise Fail(f'trace(root) for {program_text(prog)} lists the nodes or edges in a '
                   'different order when the same graph is built again: the order must not '
                   'depend on where Values sit in memory, so do not build the lists by '
                   'iterating over a set (follow _prev in order, and use the set only to '
                   'remember what you have seen)')


def _dot(sub, labels, rankdir=None):
    prog = program([2.0, -3.0], ['mul', 0, 1], ['add', 2, C(1.0)], ['tanh', 3], ['add', 4, 0])
    try:
        got = sub.probe('draw_dot', program=prog, labels=labels, rankdir=rankdir)
    except ProbeError as error:
        raise Fail(f'draw_dot(root) for {program_text(prog)}: your code '
                   f'{error.describe()}') from None
    if not isinstance(got, dict) or not isinstance(got.get('source'), str):
        kind = got.get('type') if isinstance(got, dict) else '?'
        raise Fail(f'draw_dot(root) returned a {kind}, expected a graphviz.Digraph')
    return prog, got


NODE_STATEMENT = re.compile(r'^\s*("[^"]*"|\w+)\s*\[', re.MULTILINE)


def _declared_nodes(source):
    """Without the `dot` program: the node statements of the DOT text (edges have '->')."""
    if not re.match(r'\s*(strict\s+)?digraph\b', source):
        return None
    return [m.group(1) for m in NODE_STATEMENT.finditer(source)
            if m.group(1) not in ('graph', 'node', 'edge')
            and '->' not in source[m.start():source.find('\n', m.start())]]


def _plain_nodes(source):
    """The node names graphviz lays out, or None when `dot` rejects the source.

    The DOT text is the learner's: `dot` runs on it only confined (its own namespaces,
    no network, nothing writable); where that is not possible, or there is no graphviz
    binary, the node statements are read from the text instead. A text laid out before in
    this process is not laid out again (a confined `dot` costs about 30 ms CPU, and one
    mistake draws the same graph for every learner who makes it)."""
    if source in _LAID_OUT:
        return list(_LAID_OUT[source])
    result = isolation.run_confined(['dot', '-Tplain'], source.encode())
    if result is None:
        return _declared_nodes(source)
    if result.returncode != 0:
        return None
    nodes = [line.split()[1] for line in result.stdout.decode('utf-8', 'replace').splitlines()
             if line.startswith('node ')]
    if len(source) <= _LAID_OUT_TEXT:
        if len(_LAID_OUT) >= _LAID_OUT_MAX:
            _LAID_OUT.pop(next(iter(_LAID_OUT)))
        _LAID_OUT[source] = tuple(nodes)
    return nodes


# Successful layouts of texts of a usual size only (a learner's answer may be megabytes): a
# refusal or a time-out is asked again next time. The oldest is dropped first.
_LAID_OUT, _LAID_OUT_MAX, _LAID_OUT_TEXT = {}, 256, 64 * 1024


EDGE_LINE = re.compile(r'(\S+) -> (\S+)')
NODE_LINE = re.compile(r'(\S+) \[(.*)\]')
LABEL = re.compile(r'label=(?:"((?:[^"\\]|\\.)*)"|(\S+))')
SHAPE = re.compile(r'shape=(\w+)')


def drawn(source):
    """The drawing read from its DOT text, the way the lesson's check cell reads it:
    records and circles by label, and the edges between them by their labels."""
    nodes, edges = {}, []
    for line in source.splitlines():
        line = line.strip()
        edge = EDGE_LINE.fullmatch(line)
        if edge:
            edges.append(edge.groups())
            continue
        node = NODE_LINE.fullmatch(line)
        if node and node.group(1) not in ('graph', 'node', 'edge'):
            label, shape = LABEL.search(node.group(2)), SHAPE.search(node.group(2))
            nodes[node.group(1)] = (label and (label.group(1) or label.group(2)),
                                    shape and shape.group(1))
    records = sorted(label or '' for label, shape in nodes.values() if shape == 'record')
    circles = sorted(label or '' for label, shape in nodes.values() if shape == 'circle')
    links = sorted((nodes[t][0] or '', nodes[h][0] or '') for t, h in edges
                   if t in nodes and h in nodes)
    return records, circles, links


def compare_drawing(sub, ref, labels):
    prog, got = _dot(sub, labels=labels)
    expected = ref.probe('draw_dot', program=prog, labels=labels)
    if _plain_nodes(got['source']) is None:
        raise Fail("graphviz's dot cannot render the Digraph your draw_dot returns")
    records, circles, links = drawn(got['source'])
    want_records, want_circles, want_links = drawn(expected['source'])
    where = f'the drawing of {program_text(prog)}' + (' with labels' if labels else '')
    if records != want_records:
        missing = [r for r in want_records if r not in records]
        extra = [r for r in records if r not in want_records]
        raise Fail(f'{where} has the records {records}, expected {want_records}'
                   + (f' (missing {missing[0]!r}' + (f', instead {extra[0]!r})' if extra else ')')
                      if missing else '')
                   + ': one node with shape=record per Value, labelled '
                   "'{ data 2.0000 | grad 0.0000 }' with four decimals, the label's name first "
                   "when labels has one: '{ a | data ... }'")
    if circles != want_circles:
        raise Fail(f'{where} has the circles {circles}, expected {want_circles}: one node with '
                   "shape='circle' per Value that has an _op, labelled with the _op")
    if links != want_links:
        missing = [e for e in want_links if e not in links]
        edge = missing[0] if missing else [e for e in links if e not in want_links][0]
        say = 'misses the edge' if missing else 'has an edge that should not be there,'
        raise Fail(f'{where} {say} from {edge[0]!r} to {edge[1]!r}: each circle points to the '
                   "record of its result, and each operand's record points to the circle of "
                   'the result it is used in')


@pytest.mark.points(3, name='graph-draw-dot', what='draw_dot(root)')
def test_draw_dot(sub, ref):
    compare_drawing(sub, ref, labels=False)


@pytest.mark.points(1, name='graph-draw-labels', what='draw_dot(root, labels={...})')
def test_draw_labels(sub, ref):
    _, got = _dot(sub, labels=True)
    for name in ('alpha_in', 'omega_out'):
        if name not in got['source']:
            raise Fail(f'draw_dot(root, labels={{a: {name!r}, ...}}) does not show the label '
                       f'{name!r}: put labels[node] into that node\'s record')
    compare_drawing(sub, ref, labels=True)


@pytest.mark.points(1, name='graph-draw-stable', what='draw_dot(root, rankdir=...) twice')
def test_draw_stable(sub, ref):
    _, got = _dot(sub, labels=False)
    if got['rankdir'] != 'LR':
        raise Fail(f"draw_dot(root) has rankdir {show(got['rankdir'])}, expected 'LR': keep the "
                   'given Digraph(graph_attr={"rankdir": rankdir}, ...)')
    if got['again'] != got['source']:
        raise Fail('drawing the same graph, built twice, gives two different DOT texts: name '
                   "the nodes by their place in trace(root) ('v0', 'v1', ...), not by id()")
    _, got = _dot(sub, labels=False, rankdir='TB')
    if got['rankdir'] != 'TB':
        raise Fail(f"draw_dot(root, rankdir='TB') has rankdir {show(got['rankdir'])}: pass "
                   'rankdir on to the Digraph')
