"""Given cells and check cells: generated from micrograd/ by autograder.given, never by hand."""

import ast
import json
import shutil
import subprocess
import sys

import pytest
from lessons_util import ROOT, kind, read, solution_lines, source_path

from autograder import cells, given, in_notebook
from autograder.course import STAGES
from autograder.release import dumps, normalise, stale_cells, write_given_cells

STAGE_IDS = [stage.id for stage in STAGES]
FORWARD_STAGES = ('02-operations', '03-graph', '04-backward')


def value_calls(tree):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and node.func.id == 'Value']


# -- (a) the solutions hold exactly what given.py generates ---------------------------


@pytest.mark.parametrize('stage', STAGES, ids=lambda s: s.id)
def test_every_given_and_check_cell_is_generated(stage):
    nb = read(stage.source)
    wanted = given.generated(stage)
    givens = [cell for cell in nb.cells if cells.is_given(cell)]
    assert [cells.grade_id(cell) for cell in givens] == list(wanted), (
        'the notebook\'s given cells are not the manifest\'s (autograder/course.py)')
    for cell in givens:
        assert cells.source(cell) == wanted[cells.grade_id(cell)], (
            f'{stage.id}: given cell {cells.grade_id(cell)} was edited by hand: '
            'run `autograder release`')
    checks = [cell for cell in nb.cells if given.is_check_cell(cell)]
    assert len(checks) == 1
    assert cells.source(checks[0]) == given.check_cell(stage.id)
    assert given.stale(nb, stage) == []


def test_every_stage_declares_its_given_cells():
    assert all(stage.given for stage in STAGES)


def copy_course(tmp_path, stage_ids):
    """A repository root in tmp_path with copies of these stages' source notebooks."""
    shutil.copy(ROOT / 'nbgrader_config.py', tmp_path)
    for stage_id in stage_ids:
        folder = tmp_path / 'solutions' / stage_id
        folder.mkdir(parents=True)
        shutil.copy(source_path(stage_id), folder)
    return tmp_path


def edit_cell(path, grade_id, change):
    nb = json.loads(path.read_text(encoding='utf-8'))
    for cell in nb['cells']:
        if cells.grade_id(cell) == grade_id:
            cell['source'] = change(cells.source(cell))
    path.write_text(json.dumps(nb, indent=1), encoding='utf-8')


def test_a_hand_edit_is_reported_and_release_repairs_it(tmp_path):
    root = copy_course(tmp_path, ['04-backward', '05-neuron'])
    backward = root / 'solutions' / '04-backward' / '04-backward.ipynb'
    neuron = root / 'solutions' / '05-neuron' / '05-neuron.ipynb'
    original = backward.read_bytes()
    edit_cell(backward, 'backward-given-value',
              lambda text: text.replace("'+')", "'+', (1.0, 1.0))"))
    edit_cell(neuron, 'neuron-demo-check', lambda text: text + '\nprint("checked")')
    assert stale_cells(root=root) == {'04-backward': ['backward-given-value'],
                                      '05-neuron': ['neuron-demo-check']}
    assert given.stale(read(backward), given_stage('04-backward')) == ['backward-given-value']

    # `autograder release --check` says so, and writes nothing.
    edited = backward.read_bytes()
    done = subprocess.run([sys.executable, '-m', 'autograder.cli', 'release', '--check'],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'solutions/04-backward/04-backward.ipynb: out of date: backward-given-value' \
        in done.stdout
    assert 'neuron-demo-check' in done.stdout
    assert backward.read_bytes() == edited

    # Writing the generated cells restores the committed notebook byte for byte, stably.
    assert write_given_cells(root=root) == [backward.resolve(), neuron.resolve()]
    assert backward.read_bytes() == original
    assert neuron.read_bytes() == source_path('05-neuron').read_bytes()
    assert write_given_cells(root=root) == []
    assert stale_cells(root=root) == {}


def test_a_missing_or_unknown_given_cell_is_an_error(tmp_path):
    root = copy_course(tmp_path, ['06-layer'])
    path = root / 'solutions' / '06-layer' / '06-layer.ipynb'
    nb = json.loads(path.read_text(encoding='utf-8'))
    for cell in nb['cells']:
        if cells.grade_id(cell) == 'layer-given-class':
            cell['metadata']['nbgrader']['grade_id'] = 'layer-given-other'
    path.write_text(json.dumps(nb), encoding='utf-8')
    with pytest.raises(given.GivenError, match='layer-given-other'):
        given.stale(read(path), given_stage('06-layer'))


def given_stage(stage_id):
    return STAGES[STAGE_IDS.index(stage_id)]


def test_generated_text_is_deterministic_and_readable():
    for stage in STAGES:
        first = given.generated(stage)
        assert first == given.generated(stage)
        for grade_id, text in first.items():
            tree = ast.parse(text)             # plain Python
            assert not text.startswith('\n') and not text.endswith('\n'), grade_id
            assert '\n\n\n\n' not in text, grade_id
            lines = text.splitlines()
            for node in tree.body[1:]:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    first_line = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    assert lines[first_line - 3:first_line - 1] == ['', ''], (
                        f'{grade_id}: two blank lines before {node.name}')
            imports = [ast.unparse(node) for node in tree.body
                       if isinstance(node, (ast.Import, ast.ImportFrom))]
            assert len(imports) == len(set(imports)), f'{grade_id}: a duplicate import'
            assert 'micrograd' not in text, f'{grade_id} imports the reference'


@pytest.mark.parametrize('stage', STAGES, ids=lambda s: s.id)
def test_given_cells_import_what_they_use(stage):
    """Each given cell runs on its own once the names of the cells before it exist."""
    namespace = {}
    for grade_id, text in given.generated(stage).items():
        exec(compile(text, grade_id, 'exec'), namespace)
    modules = {name for text in given.generated(stage).values()
               for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Import)
               for name in (alias.name for alias in node.names)}
    for grade_id, text in given.generated(stage).items():
        used = {node.value.id for node in ast.walk(ast.parse(text))
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}
        imported = {alias.asname or alias.name for node in ast.walk(ast.parse(text))
                    if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
        assert (used & modules) <= imported, f'{grade_id} uses a module it does not import'


def test_full_form_is_the_reference_verbatim():
    reference = (ROOT / 'micrograd' / 'engine.py').read_text(encoding='utf-8')
    text = given.render((('engine.Value',),))
    body = text.split('\n\n\n', 1)[1]
    assert text.startswith('import math\n\n\n')
    assert body in reference and body.startswith('class Value:')
    assert body.rstrip().endswith("return f'Value(data={self.data}, grad={self.grad})'")


# -- (b) the forward form: no local derivatives, the same graph --------------------------


FORWARD = given.render((('engine.Value', 'forward'),))


def test_forward_form_states_no_derivative():
    tree = ast.parse(FORWARD)
    calls = value_calls(tree)
    assert calls, 'the forward Value builds nodes'
    for call in calls:
        assert len(call.args) <= 3 and not call.keywords, ast.unparse(call)
    assert 'd/d' not in FORWARD
    assert '_local_grads' not in FORWARD.replace(
        "'_local_grads')", '').replace('_local_grads=()', '').replace(
        'self._local_grads = _local_grads', '')
    methods = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert not methods & set(given.BACKPROPAGATION)
    assert {'__init__', '__repr__', '__add__', '__pow__', 'tanh', 'log', '__rtruediv__'} <= methods


@pytest.mark.parametrize('stage_id', FORWARD_STAGES)
def test_stages_before_backward_get_the_forward_value(stage_id):
    for text in given.generated(given_stage(stage_id)).values():
        assert 'd/d' not in text
        for call in value_calls(ast.parse(text)):
            assert len(call.args) <= 3 and not call.keywords, (stage_id, ast.unparse(call))


OPERATIONS = {
    '+': lambda a, b: a + b, '*': lambda a, b: a * b, '-': lambda a, b: a - b,
    '/': lambda a, b: a / b, '**2': lambda a, b: a ** 2, '**-1.5': lambda a, b: b ** -1.5,
    'neg': lambda a, b: -a, 'radd': lambda a, b: 1.5 + a, 'rsub': lambda a, b: 2 - a,
    'rmul': lambda a, b: 3 * a, 'rtruediv': lambda a, b: 4 / a, 'relu': lambda a, b: a.relu(),
    'relu-': lambda a, b: (a * -1).relu(), 'relu0': lambda a, b: (a - a).relu(),
    'tanh': lambda a, b: a.tanh(),
    'exp': lambda a, b: a.exp(), 'log': lambda a, b: b.log(), 'number': lambda a, b: a + 2,
}


def described(root):
    """(data, _op, indices of _prev) of every node reachable from root, depth first."""
    nodes, stack, seen = [], [root], set()
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            nodes.append(node)
            stack.extend(node._prev)
    index = {id(node): i for i, node in enumerate(nodes)}
    return [(node.data, node._op, tuple(index[id(p)] for p in node._prev)) for node in nodes]


@pytest.mark.parametrize('name', OPERATIONS)
def test_forward_value_builds_the_reference_graph(name):
    from micrograd.engine import Value as Reference

    namespace = {}
    exec(compile(FORWARD, 'forward', 'exec'), namespace)
    Forward = namespace['Value']
    operation = OPERATIONS[name]
    for x, y in [(-1.25, 0.5), (2.0, 3.0), (0.75, 1.0)]:
        ours, reference = operation(Forward(x), Forward(y)), operation(Reference(x), Reference(y))
        assert described(ours) == described(reference), name
        assert ours._local_grads == ()
        assert repr(ours) == repr(reference)
    for bad in [lambda v: v ** Forward(2), lambda v: v ** True]:
        with pytest.raises(TypeError):
            bad(Forward(2.0))
    with pytest.raises(ValueError):
        Forward(-8.0) ** 0.5
    with pytest.raises(ValueError):
        Forward(0.0).log()


def test_forward_edits_follow_the_syntax_not_the_spelling():
    text = '''import math


class Value:
    def __init__(self, data, _prev=(), _op='', _local_grads=()):
        self.data, self._prev, self._op = data, _prev, _op

    def f(self):
        # d/dx f(x) = 2x, on a line of its own
        return Value(self.data ** 2,
                     (self,),   # the operand
                     'f',
                     (2 * self.data,   # d/dx x**2 = 2x
                      ),
                     )

    def g(self, other):
        return Value(math.exp(self.data), (self, other), 'g', _local_grads=(1.0, Value(0).data))
'''
    out = given._without_local_derivatives(text, 'sample')
    namespace = {}
    exec(out, namespace)
    v = namespace['Value'](3.0)
    f, g = v.f(), v.g(v)
    assert (f.data, f._prev, f._op) == (9.0, (v,), 'f')
    assert (g.data, g._prev, g._op) == (namespace['math'].exp(3.0), (v, v), 'g')
    assert 'd/d' not in out and '2 * self.data' not in out and '_local_grads=(1.0' not in out
    assert '(self,),   # the operand' in out
    assert "return Value(math.exp(self.data), (self, other), 'g')" in out
    for call in value_calls(ast.parse(out)):
        assert len(call.args) <= 3 and not call.keywords


def test_a_comment_inside_the_removed_derivatives_is_an_error():
    text = "def f(x):\n    return Value(x, (), 'f',  # a note\n                 (1.0,))\n"
    with pytest.raises(given.GivenError, match='a note'):
        given._without_local_derivatives(text, 'sample')


# -- (c) no given cell shows this stage's or a later stage's answers ------------------------


def _solution_lines(stage):
    nb = read(stage.source)
    return {line.strip() for cell in nb.cells for line in solution_lines(cells.source(cell))}


@pytest.mark.parametrize('stage', STAGES, ids=lambda s: s.id)
def test_given_cells_hold_no_answer_of_this_or_a_later_stage(stage):
    # Short lines such as `while stack:` or `return out` reveal nothing (as in test_lessons).
    later = set().union(*(_solution_lines(s) for s in STAGES if s.number >= stage.number))
    secret = {line for line in later if len(line) > 12}
    nb = read(stage.source)
    for cell in nb.cells:
        if kind(cell) == 'given':
            shown = {line.strip() for line in cells.source(cell).splitlines()}
            leaked = shown & secret
            assert not leaked, f'{stage.id} {cells.grade_id(cell)}: {sorted(leaked)}'


# -- (d) the check cell -------------------------------------------------------------------


@pytest.mark.parametrize('stage_id', STAGE_IDS)
def test_check_cell_is_short_and_calls_the_library(stage_id):
    text = given.check_cell(stage_id)
    assert len(text.splitlines()) <= 10
    assert text.rstrip().endswith(f"check_my_work('{stage_id}')")
    assert 'from autograder.in_notebook import check_my_work' in text
    # -I -S: no site-packages, so no autograder: the message, on one line, no error.
    done = subprocess.run([sys.executable, '-I', '-S', '-c', text], capture_output=True,
                          text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, '')
    assert done.stdout == given.NOT_INSTALLED + '\n'


def test_check_my_work_without_a_notebook_file_names_the_command(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv('JPY_SESSION_NAME', raising=False)
    in_notebook.check_my_work('03-graph')
    out = capsys.readouterr().out
    assert "Cannot find this notebook's file" in out
    assert 'run `autograder check 03-graph PATH` in a terminal' in out


def test_check_my_work_finds_the_notebook_beside_the_kernel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv('JPY_SESSION_NAME', raising=False)
    (tmp_path / '01-value.ipynb').write_text('{}', encoding='utf-8')
    assert in_notebook.notebook_file('01-value') == tmp_path / '01-value.ipynb'
    monkeypatch.setenv('JPY_SESSION_NAME', str(source_path('02-operations')))
    assert in_notebook.notebook_file('02-operations') == source_path('02-operations')


def test_source_notebooks_are_normalised():
    for stage in STAGES:
        assert stage.source.read_text(encoding='utf-8') == dumps(normalise(read(stage.source)))
