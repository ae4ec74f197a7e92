"""Hidden suite of stage 03-graph: trace(root) and draw_dot(root, labels=None).

trace is compared with the reference's as sets of node and edge descriptions
(data and _op), so a learner may return lists or sets in any order.
"""

import re
from collections import Counter

import pytest

from autograder import isolation
from autograder.judge import Fail, ProbeError, show
from autograder.suites.programs import PRIMITIVE_OPS, program, program_text, suite_settings
from autograder.suites.programs import programs as drawn_programs

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
    edges = {(_key(c), _key(p)) for c, p in got['edges']}
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
    from hypothesis import assume, given

    @suite_settings(40)
    @given(drawn_programs(PRIMITIVE_OPS))
    def check(prog):
        try:
            ref.probe('expression', program=prog)
        except ProbeError:
            assume(False)
        compare_trace(sub, ref, prog)

    check()


def _dot(sub, labels):
    prog = program([2.0, -3.0], ['mul', 0, 1], ['add', 2, C(1.0)], ['tanh', 3])
    try:
        got = sub.probe('draw_dot', program=prog, labels=labels)
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
    binary, the node statements are read from the text instead."""
    result = isolation.run_confined(['dot', '-Tplain'], source.encode())
    if result is None:
        return _declared_nodes(source)
    if result.returncode != 0:
        return None
    return [line.split()[1] for line in result.stdout.decode('utf-8', 'replace').splitlines()
            if line.startswith('node ')]


@pytest.mark.points(2, name='graph-draw-dot', what='draw_dot(root)')
def test_draw_dot(sub, ref):
    prog, got = _dot(sub, labels=False)
    nodes = _plain_nodes(got['source'])
    if nodes is None:
        raise Fail("graphviz's dot cannot render the Digraph your draw_dot returns")
    if len(nodes) < got['count']:
        raise Fail(f'the drawing of {program_text(prog)} has {len(nodes)} nodes, but the graph '
                   f"has {got['count']} Values: every Value needs its own node")
    if '{' not in got['source'] and 'record' not in got['source']:
        raise Fail('draw each Value as a record node (shape=record) showing its data and grad')


@pytest.mark.points(1, name='graph-draw-labels', what='draw_dot(root, labels={...})')
def test_draw_labels(sub, ref):
    _, got = _dot(sub, labels=True)
    for name in ('alpha_in', 'omega_out'):
        if name not in got['source']:
            raise Fail(f'draw_dot(root, labels={{a: {name!r}, ...}}) does not show the label '
                       f'{name!r}: put labels[node] into that node\'s record')
