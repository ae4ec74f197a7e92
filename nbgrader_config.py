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
