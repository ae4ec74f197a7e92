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


# How a failing test relates to a diagnosed mistake, as the feedback says it.
ROLE_NOTES = {'rule': 'the test of this rule', 'consequence': 'a consequence of the mistake'}


@dataclass
class Diagnosis:
    """The one catalogued mistake that explains a submission's failures (autograder.diagnosis)."""
    bug: str                   # the catalogue's name, e.g. 'grad-assigned-not-accumulated'
    summary: str               # the mistake in a few words
    fix: str                   # one sentence: what to change
    explains: list[str]        # the failing tests that follow from it
    rule_test: str             # the test that checks its rule directly
    consequence_share: float   # of the points a consequence keeps (autograder.diagnosis.credit)

    def message(self):
        """The lead line of the feedback: the mistake and its fix."""
        return f'The mistake behind the failing tests: {self.summary}. How to fix it: {self.fix}'

    def consequences(self):
        """What the failing tests have to do with it, and what that means for the points."""
        count = len(self.explains)
        tests = 'the failing test below follows' if count == 1 else \
            f'the {count} failing tests below follow'
        tests = f'{tests[0].upper()}{tests[1:]} from this one mistake'
        if not self.consequence_share:
            return f'{tests}; as no test of the stage passed, it changes no points.'
        return (f'{tests}: the test of its rule costs all its points, a test that fails only as '
                f'its consequence keeps {self.consequence_share:.0%} of them.')

    def role(self, test_name):
        """'rule', 'consequence' or None: how a failing test relates to the mistake."""
        if test_name not in self.explains:
            return None
        return 'rule' if test_name == self.rule_test else 'consequence'


@dataclass
class StageResult:
    stage: str                 # '01-value' ... '08-training'
    status: str                # one of STATUSES
    score: float
    max_score: float
    tests: list[TestOutcome] = field(default_factory=list)
    message: str = ''          # for a non-graded status: what went wrong, in the learner's terms
    confinement: str = ''      # the sandbox's level (autograder/isolation.py): full, ...
    diagnosis: Diagnosis | None = None   # the one mistake behind the failures, when known

    def __post_init__(self):
        self.message = capped(self.message, MESSAGE_CAP)

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data['tests'] = [TestOutcome(**t) for t in data.get('tests', [])]
        if data.get('diagnosis'):
            data['diagnosis'] = Diagnosis(**data['diagnosis'])
        return cls(**data)


def format_points(points):
    """2.0 -> '2', 1.5 -> '1.5': points as people write them."""
    return f'{round(points, 4):g}'
