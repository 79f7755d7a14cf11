"""nbgrader configuration of the course; the course root is this folder.

Instructors edit only ``source/``; ``nbgrader generate_assignment <lab>`` writes
``release/<lab>/``. Grading state (``submitted/``, ``autograded/``,
``feedback/``, ``gradebook.db``) lives here too and is never committed.
"""

import os

c = get_config()  # noqa: F821 -- provided by traitlets when nbgrader loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The embedded default; any database nbgrader supports works (e.g. postgresql://...).
c.CourseDirectory.db_url = os.environ.get(
    "NBGRADER_DB_URL", "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
)
c.CourseDirectory.course_id = "optim-labs"

# What students see in place of a solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"
# The model answers to the open questions are mark-scheme regions of plain markdown cells
# (``<!-- BEGIN MARK SCHEME -->`` ... ``<!-- END MARK SCHEME -->``): the source notebook, the
# instructor's, holds them; generate_assignment removes them from the release. They are not
# task cells (nothing is graded by hand), so nbgrader must not insist that they be.
c.ClearMarkScheme.enforce_metadata = False

# Feedback shows the autograded notebook: strip the hidden tests (and their expected values)
# from it, as generate_assignment does for the release; nbgrader's default keeps them.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Submissions of students not yet in the gradebook are added when first graded.
c.Autograde.create_student = True
c.ExecutePreprocessor.kernel_name = "python3"
c.ExecutePreprocessor.timeout = 60
