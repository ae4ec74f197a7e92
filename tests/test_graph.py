"""trace and draw_dot: structure, deep graphs, rendering with the real dot binary."""

import shutil
import xml.etree.ElementTree as ET

import pytest

from micrograd.engine import Value
from micrograd.graph import INSTALL_HINT, draw_dot, save_graph, trace


def small_graph():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a          # a is used twice
    return a, b, c, d


def test_trace_finds_every_node_and_edge_once():
    a, b, c, d = small_graph()
    nodes, edges = trace(d)
    assert set(nodes) == {a, b, c, d} and len(nodes) == 4
    assert set(edges) == {(a, c), (b, c), (c, d), (a, d)} and len(edges) == 4
    e = a + a
    assert trace(e)[1] == [(a, e)]


def test_trace_is_iterative():
    y = Value(0.0)
    for _ in range(50_000):
        y = y * 1.0
    nodes, edges = trace(y)
    assert len(nodes) == 100_001       # the chain plus one constant 1.0 per step
    assert len(edges) == 100_000


def test_draw_dot_builds_without_rendering():
    *_, d = small_graph()
    dot = draw_dot(d)
    source = dot.source
    assert source.count('shape=record') == 4      # one record per Value
    assert source.count('shape=circle') == 2      # one small node per operation
    assert 'rankdir=LR' in source


@pytest.mark.skipif(shutil.which('dot') is None, reason="graphviz's dot is not installed")
def test_save_graph_renders_svg_with_one_record_per_value(tmp_path):
    a, b, c, d = small_graph()
    d.backward()
    path = save_graph(d, labels={a: 'a', b: 'b'}, path=tmp_path / 'g.svg')
    svg = ET.parse(path).getroot()
    ns = {'svg': 'http://www.w3.org/2000/svg'}
    node_titles = [g.find('svg:title', ns).text for g in svg.iter('{http://www.w3.org/2000/svg}g')
                   if g.get('class') == 'node']
    records = [t for t in node_titles if not t.endswith('_op')]
    assert len(records) == 4
    text = ' '.join(t.text or '' for t in svg.iter('{http://www.w3.org/2000/svg}text'))
    assert 'grad -2.0000' in text      # a.grad = b + 1 = -2
    assert 'a' in text.split() and 'b' in text.split()


def test_missing_dot_gives_one_line_message(tmp_path, monkeypatch):
    monkeypatch.setenv('PATH', str(tmp_path))      # no dot binary on PATH
    with pytest.raises(RuntimeError) as error:
        save_graph(Value(1.0) + 2, path=tmp_path / 'g.svg')
    assert str(error.value) == INSTALL_HINT
    assert '\n' not in INSTALL_HINT and 'apt-get install graphviz' in INSTALL_HINT
