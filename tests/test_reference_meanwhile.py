"""A slow reference answer (stage 08's training) is worked out while the worker trains the
learner's model: the learner's answer is still checked against it."""

from autograder import course, plugin
from autograder.intake import stage_cells
from autograder.judge import reference
from autograder.sandbox import Limits


def test_the_training_probe_is_checked_against_the_reference_worked_out_meanwhile():
    cells = stage_cells('08-training', course.stage('08-training').notebook('solutions'),
                        source_dir=course.SOLUTIONS)
    args = dict(sizes=[3, 1], seed=5, X=[[0.5, -0.25], [1.0, 0.75], [-1.0, 0.5]], y=[1, -1, 1],
                steps=2, held_out=[[0.0, 1.0], [2.0, -1.0]])
    assert 'train' in plugin._SLOW_REFERENCE
    assert not reference().knows('train', args)
    side = plugin.Sandboxed(cells, Limits(budget_seconds=60))
    try:
        side.start()
        got = side.probe('train', **args)
    finally:
        side.close()
    assert reference().knows('train', args)        # worked out while the worker trained
    expected = reference().probe('train', **args)
    assert got == expected and len(got) == 2
