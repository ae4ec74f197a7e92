"""Given cells generated from the reference package micrograd/, never copied by hand.

Each stage's notebook carries earlier stages' code as *given* cells (see
solutions/README.md). Which code goes into which cell is declared in the course
manifest, `autograder.course.STAGES[...].given`: a tuple of `Given(grade_id, parts)`.
This module turns the parts into the cell's text, straight from micrograd/'s source
(read with `ast` and `tokenize`, so the comments inside functions are kept).

The parts vocabulary
--------------------

A part is a tuple `(name, form, methods)`; `form` and `methods` may be left off.

    name      'module.Object' in micrograd/: 'engine.Value', 'graph.trace',
              'gradcheck.numerical_derivative', 'nn.Neuron', 'moons.SEED', ...
              (a class, a function or a module-level assignment)
    form      'full' (the default): the definition exactly as the reference writes it;
              'skeleton' (classes): the class header, its docstring and its class
              attributes such as `__slots__`, no methods: the exercises attach them;
              'forward' (engine.Value only): the class without back-propagation. The
              methods `_backward`, `backward` and `_topological_order` are left out,
              and so is every local derivative: the 4th argument (`_local_grads`) of
              each `Value(...)` call and every comment that states a derivative
              (`# d/dx ...`). Nodes keep the reference's data, _prev and _op.
    methods   (classes, 'full' or 'forward'): keep only these methods, e.g.
              ('engine.Value', 'forward', ('__init__', '__repr__')).

A comment block between two methods belongs to the method below it (it goes when the
method goes). A cell's text is its parts in order, two blank lines between top-level
definitions (none between consecutive assignments), preceded by the imports its parts
use: each module-level import of micrograd/ that an object's code needs (all of a
class's code, also in its skeleton, since the exercises attached to it need them),
once per cell. Imports of micrograd itself are dropped: each stage runs on its own and
the names come from the stage's earlier cells.

The grader check cell (grade_id `<prefix>-demo-check`) is generated here too, from
CHECK_TEMPLATE: it calls `autograder.in_notebook.check_my_work(stage)`. So is one paragraph
of the title cell (the notebook's first cell), the one starting with BROWSER_PREFIX: the
link to the lesson in the browser course (course.SITE_URL + Stage.lite_path), placed just
before the title cell's "**How to work.**" paragraph.

    generated(stage)      {grade_id: text} of every generated cell of a Stage
    sync(nb, stage)       write them into a notebook (a dict); returns the grade_ids changed
    stale(nb, stage)      the grade_ids whose text differs from the generated one
"""

import ast
import io
import re
import tokenize
from functools import cache
from pathlib import Path

from autograder import cells, course

REFERENCE = Path(__file__).resolve().parent.parent / 'micrograd'
FORMS = ('full', 'skeleton', 'forward')
BACKPROPAGATION = ('_backward', 'backward', '_topological_order')
DERIVATIVE_COMMENT = re.compile(r'\bd/d[a-z]')      # '# d/dx tanh x = 1 - tanh(x)^2'
LOCAL_GRADS = '_local_grads'
LOCAL_GRADS_POSITION = 3                            # Value(data, _prev, _op, _local_grads)
CHECK_SUFFIX = '-demo-check'

NOT_INSTALLED = ('The grader is not installed here: to check your work, clone the course '
                 "repository, run `bash scripts/learn.sh` (or `pip install -e '.[learner]'`) "
                 'in it and open this notebook from there.')

# In Colab the cell installs the grader from the course's repository (course.REPO_URL).
CHECK_TEMPLATE = """\
# Runs `autograder check` on this notebook as last saved and prints its report.
import subprocess, sys
if 'google.colab' in sys.modules:  # Colab: install the grader from the course's repository
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', {package!r}])
try:
    from autograder.in_notebook import check_my_work
except ImportError:
    print({not_installed!r})
else:
    check_my_work({stage!r})"""


BROWSER_PREFIX = '**In your browser, nothing to install:**'
HOW_TO_WORK = '**How to work.**'


def browser_paragraph(stage_id):
    """The title cell's paragraph that links to the lesson in the browser course."""
    stage = course.stage(stage_id)
    url = course.SITE_URL + stage.lite_path
    text = (f'{BROWSER_PREFIX} [open this lesson in JupyterLite]({url}), Jupyter with Python '
            'running in the page. Your edits stay in that browser; the check cells work there '
            'as they do here, and so does the last cell\'s hidden check, as a learning aid '
            '(the hidden tests are then in your browser), not a graded submission.')
    if stage.not_in_browser:
        text += f' **But:** {stage.not_in_browser}'
    return text


def title_with_link(title, stage_id):
    """The title cell's text with its browser paragraph as browser_paragraph() writes it."""
    paragraphs = title.split('\n\n')
    paragraphs = [p for p in paragraphs if not p.startswith(BROWSER_PREFIX)]
    at = next((i for i, p in enumerate(paragraphs) if p.startswith(HOW_TO_WORK)), None)
    if at is None:
        raise GivenError(f'{stage_id}: the title cell has no {HOW_TO_WORK!r} paragraph')
    paragraphs.insert(at, browser_paragraph(stage_id))
    return '\n\n'.join(paragraphs)


def colab_package():
    """What the check cell installs in Colab: the course with the learner's tools."""
    return f'micrograd-course[learner] @ git+{course.REPO_URL}'


class GivenError(Exception):
    """The manifest asks for something micrograd/ does not have, or a notebook lacks a cell."""


# -- reading micrograd/ ---------------------------------------------------------------


class _Module:
    """One file of micrograd/: its text, lines and syntax tree."""

    def __init__(self, text, name):
        self.name, self.text = name, text
        self.lines = text.splitlines()
        self.tree = ast.parse(text)

    def segment(self, first, last):
        """Lines first..last (1-based, inclusive) as text."""
        return '\n'.join(self.lines[first - 1:last])

    def definition(self, name):
        for node in self.tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
                return node
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in node.targets):
                return node
        raise GivenError(f'micrograd/{self.name}.py defines no {name!r}')


@cache
def _module(name, form='full'):
    path = REFERENCE / f'{name}.py'
    if not path.is_file():
        raise GivenError(f'no module micrograd/{name}.py')
    text = path.read_text(encoding='utf-8')
    if form == 'forward':
        text = _without_local_derivatives(text, f'micrograd/{name}.py')
    return _Module(text, name)


def _offsets(text):
    """A function (line, UTF-8 byte column) -> character offset into text."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line, byte_col):
        return starts[line - 1] + len(lines[line - 1].encode('utf-8')[:byte_col].decode('utf-8'))
    return offset


def _without_local_derivatives(text, where):
    """text with the `_local_grads` argument of every Value(...) call and every derivative
    comment removed, edited at the positions ast and tokenize report."""
    offset, lines = _offsets(text), text.splitlines(keepends=True)
    comments = [(offset(t.start[0], 0) + t.start[1], t.string)
                for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type == tokenize.COMMENT]
    cuts = []
    for node in ast.walk(ast.parse(text)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == 'Value'):
            continue
        arguments = sorted([*node.args, *node.keywords],
                           key=lambda a: (a.lineno, a.col_offset))
        for i, argument in enumerate(arguments):
            is_local_grads = (argument.arg == LOCAL_GRADS if isinstance(argument, ast.keyword)
                              else node.args.index(argument) == LOCAL_GRADS_POSITION)
            if not is_local_grads:
                continue
            before = arguments[i - 1]       # cut from the end of the argument before it
            start = offset(before.end_lineno, before.end_col_offset)
            end = offset(argument.end_lineno, argument.end_col_offset)
            kept = [c for at, c in comments if start <= at < end
                    and not DERIVATIVE_COMMENT.search(c)]
            if kept:
                raise GivenError(f'{where}:{argument.lineno}: a comment {kept[0]!r} sits in '
                                 'the local derivatives to remove; move it')
            cuts.append((start, end))
    for at, comment in comments:
        if not DERIVATIVE_COMMENT.search(comment):
            continue
        row = text.count('\n', 0, at) + 1
        start_of_line = offset(row, 0)
        line = lines[row - 1]
        before = line[:at - start_of_line]
        if not before.strip():              # a comment line: drop the whole line
            cuts.append((start_of_line, start_of_line + len(line)))
        else:                               # a trailing comment: drop it and its spaces
            cuts.append((start_of_line + len(before.rstrip()), at + len(comment)))
    merged = []                             # overlapping cuts become one
    for start, end in sorted(cuts):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    for start, end in reversed(merged):
        text = text[:start] + text[end:]
    left = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name) and n.func.id == 'Value'
            and (len(n.args) > LOCAL_GRADS_POSITION or any(k.arg == LOCAL_GRADS
                                                           for k in n.keywords))]
    if left or DERIVATIVE_COMMENT.search(_comments(text)):
        raise GivenError(f'{where}: could not remove every local derivative')
    return text


def _comments(text):
    return '\n'.join(t.string for t in tokenize.generate_tokens(io.StringIO(text).readline)
                     if t.type == tokenize.COMMENT)


# -- parts ----------------------------------------------------------------------------


def _parse_part(part, where):
    if not isinstance(part, tuple) or not 1 <= len(part) <= 3:
        raise GivenError(f'{where}: a part is (name, form, methods), got {part!r}')
    name, form, methods = (*part, None, None)[:3]
    form = 'full' if form is None else form
    if not isinstance(name, str) or name.count('.') != 1:
        raise GivenError(f"{where}: a part's name is 'module.Object', got {name!r}")
    if form not in FORMS:
        raise GivenError(f'{where}: unknown form {form!r} (forms: {", ".join(FORMS)})')
    if methods is not None and (form == 'skeleton' or not isinstance(methods, tuple)):
        raise GivenError(f'{where}: methods must be a tuple, with the full or forward form')
    return name, form, methods


def _start(node):
    """The first line of a definition, its decorators included."""
    return min([node.lineno, *(d.lineno for d in getattr(node, 'decorator_list', ()))])


def _is_docstring(node):
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
        and isinstance(node.value.value, str)


def _class_text(module, node, form, methods, where):
    """The class as its parts select: header, docstring, class attributes, chosen methods."""
    defined = [s.name for s in node.body if isinstance(s, ast.FunctionDef)]
    if form == 'skeleton':
        wanted = ()
    elif form == 'forward':
        wanted = [m for m in defined if m not in BACKPROPAGATION]
    else:
        wanted = defined
    if methods is not None:
        unknown = [m for m in methods if m not in defined]
        if unknown:
            raise GivenError(f'{where}: {node.name} has no method {", ".join(unknown)}')
        wanted = [m for m in wanted if m in methods]
    if form == 'full' and methods is None:
        return module.segment(_start(node), node.end_lineno)
    pieces = [module.segment(_start(node), node.body[0].lineno - 1)]   # the header
    previous_end = node.body[0].lineno - 1
    for statement in node.body:
        keep = statement.name in wanted if isinstance(statement, ast.FunctionDef) else True
        if keep:
            # From just after the statement before: its blank lines and comment block.
            pieces.append(module.segment(previous_end + 1, statement.end_lineno))
        previous_end = statement.end_lineno
    text = '\n'.join(piece for piece in pieces if piece)
    if form == 'forward':
        tree = ast.parse(text)
        reads = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                 and n.attr == LOCAL_GRADS and not isinstance(n.ctx, ast.Store)]
        if reads:
            raise GivenError(f'{where}: a method kept in the forward form reads '
                             f'{LOCAL_GRADS}: is it back-propagation? (BACKPROPAGATION)')
    return text


def _imports_needed(module, node):
    """The module-level import statements (as text) whose names node's code uses."""
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    out = []
    for statement in module.tree.body:
        if isinstance(statement, ast.Import):
            names = [a for a in statement.names if (a.asname or a.name).split('.')[0] in used]
            if names:
                out.append(ast.unparse(ast.Import(names=names)))
        elif isinstance(statement, ast.ImportFrom):
            if (statement.module or '').split('.')[0] == 'micrograd' or statement.level:
                continue
            names = [a for a in statement.names if (a.asname or a.name) in used]
            if names:
                out.append(ast.unparse(ast.ImportFrom(module=statement.module,
                                                      names=names, level=0)))
    return out


def render_part(part, where='part'):
    """(imports, text, is_assignment) of one part."""
    name, form, methods = _parse_part(part, where)
    module_name, object_name = name.split('.')
    if form == 'forward' and name != 'engine.Value':
        raise GivenError(f'{where}: the forward form is for engine.Value only')
    module = _module(module_name, 'forward' if form == 'forward' else 'full')
    node = module.definition(object_name)
    imports = _imports_needed(_module(module_name), _module(module_name).definition(object_name))
    if isinstance(node, ast.ClassDef):
        text = _class_text(module, node, form, methods, where)
    elif form != 'full' or methods is not None:
        raise GivenError(f'{where}: {name} is not a class: only the full form applies')
    else:
        text = module.segment(_start(node), node.end_lineno)
    return imports, text, isinstance(node, ast.Assign)


def render(parts, where='given cell'):
    """A given cell's text: the parts' imports once, then the parts in order."""
    imports, blocks = [], []
    for i, part in enumerate(parts):
        needed, text, is_assignment = render_part(part, f'{where}, part {i + 1}')
        imports.extend(line for line in needed if line not in imports)
        blocks.append((text, is_assignment))
    if not blocks:
        raise GivenError(f'{where}: no parts')
    out = ''
    if imports:
        plain = sorted(line for line in imports if line.startswith('import '))
        froms = sorted(line for line in imports if line.startswith('from '))
        out = '\n'.join(plain + froms) + ('\n\n' if blocks[0][1] else '\n\n\n')
    previous = None
    for text, is_assignment in blocks:
        if previous is not None:
            out += '\n' if (previous and is_assignment) else '\n\n\n'
        out += text
        previous = is_assignment
    return out


def check_cell(stage_id):
    """The text of the stage's grader check cell."""
    return CHECK_TEMPLATE.format(stage=stage_id, package=colab_package(),
                                 not_installed=NOT_INSTALLED)


def is_check_cell(cell):
    return cells.kind(cell) == 'demo' and (cells.grade_id(cell) or '').endswith(CHECK_SUFFIX)


# -- notebooks ------------------------------------------------------------------------


def generated(stage):
    """{grade_id: text} of the stage's given cells, in manifest order ({} with none)."""
    return {given.grade_id: render(given.parts, f'{stage.id} {given.grade_id}')
            for given in stage.given}


def _targets(nb, stage):
    """[(cell, text it should have)] for the stage's generated cells in notebook nb."""
    wanted = generated(stage)
    found, targets = set(), []
    for cell in nb['cells']:
        gid = cells.grade_id(cell)
        if cells.is_given(cell):
            if gid not in wanted:
                raise GivenError(f'{stage.id}: given cell {gid!r} is not in the manifest '
                                 '(autograder/course.py)')
            targets.append((cell, wanted[gid]))
            found.add(gid)
        elif is_check_cell(cell):
            targets.append((cell, check_cell(stage.id)))
    missing = [gid for gid in wanted if gid not in found]
    if missing:
        raise GivenError(f'{stage.id}: no given cell {", ".join(missing)} in the notebook')
    order = [cells.grade_id(cell) for cell, _ in targets if cells.is_given(cell)]
    if order != list(wanted):
        raise GivenError(f'{stage.id}: given cells {order} are not in manifest order')
    if sum(1 for cell, _ in targets if is_check_cell(cell)) != 1:
        raise GivenError(f'{stage.id}: expected one check cell (grade_id ending '
                         f'{CHECK_SUFFIX!r})')
    title = nb['cells'][0] if nb['cells'] else None
    if not title or title.get('cell_type') != 'markdown':
        raise GivenError(f'{stage.id}: the first cell is not the markdown title cell')
    targets.append((title, title_with_link(cells.source(title), stage.id)))
    return targets


def stale(nb, stage):
    """The grade_ids of nb's generated cells whose text is not what given.py generates."""
    return [cells.grade_id(cell) or 'title' for cell, text in _targets(nb, stage)
            if cells.source(cell) != text]


def sync(nb, stage):
    """Write the generated text into nb's given and check cells; the grade_ids changed."""
    changed = []
    for cell, text in _targets(nb, stage):
        if cells.source(cell) != text:
            cell['source'] = text
            changed.append(cells.grade_id(cell) or 'title')
    return changed
