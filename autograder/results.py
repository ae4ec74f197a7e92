"""What grading one stage of one notebook produces: plain data, shared by every front end.

The judge (hidden suites) fills these in; `check` prints them, `grade` stores them in
the gradebook and renders feedback and reports from them.
"""

from dataclasses import asdict, dataclass, field

# Caps on what a learner's code can put into feedback, results.json and the gradebook,
# applied once, where a result is made (docs/grading.md, "Limits").
FEEDBACK_CAP = 4000          # characters of one test's feedback
MESSAGE_CAP = 4000           # characters of a stage's status message
FIGURE_CAP = 512 * 1024      # characters of one test's SVG picture; a larger one is dropped


def capped(text, limit):
    """text, cut to `limit` characters with a note saying how much was cut."""
    if not isinstance(text, str):
        text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f' [... {len(text) - limit} more characters cut]'

# Why a stage got the score it got. Anything but GRADED scores 0 for the stage.
GRADED = 'graded'                          # the suite ran; score = sum of passed tests' points
MISSING_NOTEBOOK = 'missing_notebook'      # no notebook where one was expected
MALFORMED_NOTEBOOK = 'malformed_notebook'  # not JSON / not nbformat 4 / exercise cells missing
SYNTAX_ERROR = 'syntax_error'              # the module text does not compile
IMPORT_ERROR = 'import_error'              # executing the module text raised (NameError, ...)
TIMEOUT = 'timeout'                        # the submission exceeded its time budget
CRASHED = 'crashed'                        # the sandbox worker died (exit, signal, memory limit)
GRADER_ERROR = 'grader_error'              # our fault: a bug in the grader, not the student's

STATUSES = (GRADED, MISSING_NOTEBOOK, MALFORMED_NOTEBOOK, SYNTAX_ERROR, IMPORT_ERROR,
            TIMEOUT, CRASHED, GRADER_ERROR)


@dataclass
class TestOutcome:
    name: str                  # stable id of the hidden test, e.g. 'backward-pow'
    max_points: float
    points: float              # max_points if passed, else 0 (or partial, if a suite says so)
    passed: bool
    feedback: str = ''         # names the behaviour: 'for c = a**3 at a = 2.0 your a.grad is ...'
    figure_svg: str | None = None  # optional picture, e.g. the smallest failing graph

    def __setattr__(self, name, value):
        # Capped however it is set: the plugin fills outcomes in after making them.
        if name == 'feedback':
            value = capped(value, FEEDBACK_CAP)
        elif name == 'figure_svg' and value is not None and len(value) > FIGURE_CAP:
            value = None
        object.__setattr__(self, name, value)


@dataclass
class StageResult:
    stage: str                 # '01-value' ... '08-training'
    status: str                # one of STATUSES
    score: float
    max_score: float
    tests: list[TestOutcome] = field(default_factory=list)
    message: str = ''          # for a non-graded status: what went wrong, in the learner's terms
    confinement: str = ''      # the sandbox's level (autograder/isolation.py): full, ...

    def __post_init__(self):
        self.message = capped(self.message, MESSAGE_CAP)

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data['tests'] = [TestOutcome(**t) for t in data.get('tests', [])]
        return cls(**data)


def format_points(points):
    """2.0 -> '2', 1.5 -> '1.5': points as people write them."""
    return f'{round(points, 4):g}'
