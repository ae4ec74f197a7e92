"""Drawing the computation graph of a `Value` with graphviz."""

INSTALL_HINT = ("graphviz's 'dot' program is not installed; install it with 'sudo apt-get "
                "install graphviz' (Debian/Ubuntu) or 'brew install graphviz' (macOS)")


def trace(root):
    """Every node and every (operand, result) edge reachable from root.

    Both come back as lists in the order a depth-first walk meets them, so the
    same graph always gives the same drawing. Iterative: deep graphs are fine.
    """
    nodes, edges, seen = [], [], set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        nodes.append(node)
        for child in dict.fromkeys(node._prev):   # a + a is one edge, not two
            edges.append((child, node))
            stack.append(child)
    return nodes, edges


def draw_dot(root, labels=None, rankdir='LR'):
    """A graphviz.Digraph of root's graph: a record per Value, a small node per operation.

    labels maps Values to names shown in their records, e.g. {a: 'a', b: 'b'}.
    Building the Digraph needs only the graphviz Python package; rendering it
    (to SVG, PNG, or in a notebook) needs the 'dot' program.
    """
    import graphviz

    labels = labels or {}
    nodes, edges = trace(root)
    ids = {node: f'v{i}' for i, node in enumerate(nodes)}   # stable ids, not id()
    dot = graphviz.Digraph(graph_attr={'rankdir': rankdir}, node_attr={'fontsize': '11'})
    for node in nodes:
        name = labels.get(node, '')
        title = f'{name} | ' if name else ''
        dot.node(ids[node], shape='record',
                 label=f'{{ {title}data {node.data:.4f} | grad {node.grad:.4f} }}')
        if node._op:
            dot.node(ids[node] + '_op', label=node._op, shape='circle',
                     width='0.3', fixedsize='false', margin='0.02')
            dot.edge(ids[node] + '_op', ids[node])
    for child, parent in edges:
        dot.edge(ids[child], ids[parent] + '_op')
    return dot


def save_graph(root, labels=None, path='graph.svg', format='svg'):
    """Render root's graph to path (e.g. 'graph.svg'); return the path of the file written."""
    import graphviz

    dot = draw_dot(root, labels)
    stem = str(path)
    if stem.endswith('.' + format):
        stem = stem[:-len(format) - 1]
    try:
        return dot.render(stem, format=format, cleanup=True)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(INSTALL_HINT) from None

