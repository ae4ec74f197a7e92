"""A learner's grade must not depend on where Python happened to put their objects.

A drawing whose nodes come out of a set (or are named by id()) changes when the same graph
is built again, but only in some memory layouts; the draw_dot probe draws the rebuilt
graph in several layouts, so such a drawing is caught whatever the memory held before."""

from autograder import course
from autograder.intake import stage_cells
from autograder.worker import probes

PROGRAM = {'inputs': [2.0, -3.0, 10.0],
           'steps': [['mul', 0, 1], ['add', 3, 2], ['tanh', 4], ['mul', 5, 0], ['add', 6, 1]]}


def namespace(edit=None):
    cells = stage_cells('03-graph', course.stage('03-graph').source, source_dir=course.SOLUTIONS)
    ns = {'__name__': '__main__'}
    for cell in cells:
        source = cell.source
        if edit and edit[0] in source:
            source = source.replace(*edit)
        exec(compile(source, cell.label, 'exec'), ns)
    return ns


def drawn_after(ns, garbage):
    """The probe's answer after `garbage` objects were made and kept first."""
    Value = ns['Value']
    kept = [Value(0.0) for _ in range(garbage)]
    answer = probes.draw_dot(ns, PROGRAM)
    del kept
    return answer


def differs(answer):
    return answer['again'] != answer['source']


def test_a_set_ordered_drawing_is_caught_in_every_layout():
    ns = namespace(('for child in dict.fromkeys(node._prev):', 'for child in set(node._prev):'))
    assert all(differs(drawn_after(ns, garbage)) for garbage in range(40))


def test_a_drawing_named_by_id_is_caught_and_a_right_one_never_is():
    right = namespace()
    for garbage in range(8):
        answer = drawn_after(right, garbage)
        assert not differs(answer) and answer['count'] == 8
    by_id = namespace(("f'v{i}'", 'str(id(node))'))
    assert all(differs(drawn_after(by_id, garbage)) for garbage in range(8))
