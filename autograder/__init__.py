"""Instructor-side tools: authoring (data, expected arrays, release) and grading.

``autograder.authoring`` turns ``source/`` into everything generated from it;
the grading stages a submission flows through live beside it.
"""

import logging

from autograder.text import InertRecords

logging.getLogger("autograder").addFilter(InertRecords())  # what it logs may quote a submission
