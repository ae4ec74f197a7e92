"""nbgrader's configuration for micrograd-course (read from the repository root).

solutions/<stage>/<stage>.ipynb is the instructor's source; `autograder release`
(nbgrader generate_assignment --force per stage) writes the student version to
lessons/<stage>/<stage>.ipynb.
"""

c = get_config()  # noqa: F821  (nbgrader injects get_config when it loads this file)

c.CourseDirectory.course_id = 'micrograd-course'
c.CourseDirectory.source_directory = 'solutions'
c.CourseDirectory.release_directory = 'lessons'

# The gradebook is local state, never committed (.gitignore ignores gradebook.db).
c.CourseDirectory.db_url = 'sqlite:///.nbgrader/gradebook.db'

# Files in a stage folder that must not reach the release.
c.CourseDirectory.ignore = ['.ipynb_checkpoints', '*.pyc', '__pycache__', 'feedback']

# Pinned to nbgrader's default on purpose: the lesson tests and the autograder treat
# `raise NotImplementedError()` as "the learner has not done this exercise yet".
c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE\nraise NotImplementedError()'}
c.ClearSolutions.begin_solution_delimeter = 'BEGIN SOLUTION'
c.ClearSolutions.end_solution_delimeter = 'END SOLUTION'
# A solution region outside a cell marked `solution: true` is an authoring mistake: fail loudly.
c.ClearSolutions.enforce_metadata = True

# `nbgrader zip_collect STAGE` sorts an LMS download (downloaded/STAGE/archive/*.zip) into
# submitted/<student_id>/STAGE/. nbgrader matches this pattern against each extracted file's
# full path and needs the named groups student_id and file_id (and optionally timestamp).
# This one reads Canvas's download names, <login>_[LATE_]<user id>_<submission id>_<file>:
# the roster's student_id is then the Canvas login part. Adapt it to your LMS's names.
c.FileNameCollectorPlugin.named_regexp = (
    r'.*/(?P<student_id>[^/_]+)_(?:LATE_)?\d+_\d+_(?P<file_id>[^/]+\.ipynb)$')
c.FileNameCollectorPlugin.valid_ext = ['.ipynb']

# nbgrader's exchange (release_assignment, fetch, submit, collect on a shared JupyterHub)
# lives in /srv/nbgrader/exchange unless set here or with --Exchange.root=DIR; the folder must
# exist and be writable by everyone (chmod 777) before the first release.
# c.Exchange.root = '/srv/nbgrader/exchange'
