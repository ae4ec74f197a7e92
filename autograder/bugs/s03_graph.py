"""Catalogued mistakes of stage 03-graph."""

from autograder.bugs import Bug


def _bug(name, cell, old, new, test, says, summary, fix):
    return Bug(name, '03-graph', cell, old, new, test, says, summary, fix)


RECURSIVE_TRACE = '''def trace(root):
    """Recursive, as in many tutorials: fine for small graphs only."""
    nodes, edges = [], []

    def build(node):
        if node not in nodes:
            nodes.append(node)
            for child in dict.fromkeys(node._prev):
                edges.append((child, node))
                build(child)

    build(root)
    return nodes, edges
'''

SET_TRACE = '''def trace(root):
    """Karpathy's habit: sets of nodes and edges."""
    nodes, edges = set(), set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node not in nodes:
            nodes.add(node)
            for child in node._prev:
                edges.add((child, node))
                stack.append(child)
    return list(nodes), list(edges)
'''

BUGS = [
    _bug('trace-edges-reversed', 'graph-trace', 'edges.append((child, node))',
         'edges.append((node, child))', 'graph-trace-nodes', 'from result to operand',
         'the edges point from result to operand',
         'append (operand, result), in the direction the data flows: (child, node)'),
    _bug('trace-stops-early', 'graph-trace', 'stack.append(child)',
         'stack.append(child) if node is root else None', 'graph-trace-deep', 'misses',
         'the walk stops after the root',
         "push every operand of every node onto the stack, not only the root's"),
    _bug('trace-repeats-shared-nodes', 'graph-trace',
         'if node in seen:\n            continue', 'pass', 'graph-trace-shared',
         'must appear once', 'a node used twice is listed twice',
         'skip a node already in seen, so each Value appears once'),
    _bug('trace-edge-per-use', 'graph-trace', 'for child in dict.fromkeys(node._prev):',
         'for child in node._prev:', 'graph-trace-shared', 'gives one edge, not two',
         'a + a gives two edges', 'loop over dict.fromkeys(node._prev) so a + a is one edge'),
    _bug('trace-forgets-root', 'graph-trace', '    return nodes, edges',
         '    return nodes[1:], edges', 'graph-trace-nodes', 'misses',
         'the root is left out of nodes', 'return every node, root included'),
    _bug('trace-recursive', 'graph-trace', None, RECURSIVE_TRACE, 'graph-trace-shape',
         'keep your own stack', 'trace recurses',
         'walk the graph with your own stack (a list) instead of a recursive helper'),
    _bug('trace-with-sets', 'graph-trace', None, SET_TRACE, 'graph-trace-deterministic',
         'iterating over a set', 'trace builds its lists from sets',
         'append to lists while you walk _prev in order; use a set only for what you have seen'),
    _bug('trace-returns-tuples', 'graph-trace', '    return nodes, edges',
         '    return tuple(nodes), tuple(edges)', 'graph-trace-shape', 'expected two lists',
         'trace returns tuples', 'return the two lists themselves'),
    _bug('draw-dot-ignores-labels', 'graph-draw-dot', "name = labels.get(node, '')",
         "name = ''", 'graph-draw-labels', 'does not show the label', 'labels are not drawn',
         "put labels[node] first in the node's record: '{ a | data ... }'"),
    _bug('draw-dot-empty-records', 'graph-draw-dot',
         "label=f'{{ {title}data {node.data:.4f} | grad {node.grad:.4f} }}')",
         "label='')", 'graph-draw-dot', 'the records', 'the records are empty',
         "label each record '{ data 2.0000 | grad 0.0000 }' with the Value's numbers"),
    _bug('draw-dot-two-decimals', 'graph-draw-dot',
         "label=f'{{ {title}data {node.data:.4f} | grad {node.grad:.4f} }}')",
         "label=f'{{ {title}data {node.data:.2f} | grad {node.grad:.2f} }}')", 'graph-draw-dot',
         'four decimals', 'the numbers are drawn with two decimals',
         "format data and grad with four decimals: f'{x:.4f}'"),
    _bug('draw-dot-no-grad', 'graph-draw-dot',
         "label=f'{{ {title}data {node.data:.4f} | grad {node.grad:.4f} }}')",
         "label=f'{{ {title}data {node.data:.4f} }}')", 'graph-draw-dot', 'the records',
         'the records leave out the grad',
         "show both: '{ data 2.0000 | grad 0.0000 }'"),
    _bug('draw-dot-edge-to-record', 'graph-draw-dot', "dot.edge(ids[child], ids[parent] + '_op')",
         'dot.edge(ids[child], ids[parent])', 'graph-draw-dot', 'edge',
         "operand edges skip the operation's circle",
         "draw each operand's edge to the circle of its result, ids[parent] + '_op'"),
    _bug('draw-dot-no-op-circles', 'graph-draw-dot', '        if node._op:', '        if False:',
         'graph-draw-dot', 'circles', 'no circle for the operations',
         "add a shape='circle' node labelled with the _op for every Value that has one"),
    _bug('draw-dot-ids-from-id', 'graph-draw-dot',
         "ids = {node: f'v{i}' for i, node in enumerate(nodes)}   # stable ids, not id()",
         "ids = {node: str(id(node)) for node in nodes}\n"
         "    ids = {node: ids[node] for node in nodes}", 'graph-draw-stable', 'not by id()',
         'nodes are named by id()',
         "name the nodes by their place in trace(root): 'v0', 'v1', ..."),
    _bug('draw-dot-rankdir-fixed', 'graph-draw-dot', '    nodes, edges = trace(root)',
         "    dot.graph_attr['rankdir'] = 'LR'\n    nodes, edges = trace(root)",
         'graph-draw-stable', 'pass rankdir on', 'rankdir is always LR',
         'keep the given Digraph(graph_attr={"rankdir": rankdir}) and do not override it'),
]
