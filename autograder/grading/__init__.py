"""The grading pipeline, one module per stage a submission flows through:

1. ``collect``  -- find the submissions (folder, zip, or nbgrader's ``submitted/``), name them,
   read them, restore the test cells from ``source/`` (noting any tampering), and gather the
   lab's own helper and data files;
2. ``execute``  -- run each in its own kernel inside the sandbox (``sandbox``), with time,
   memory and output limits; ``verdicts.prepare`` first turns each hidden test into code that
   only computes and reports its results;
3. ``score``    -- ``verdicts.decide`` judges the reported results in the grader's process
   against the expected values of the source, then the test cells are graded with nbgrader's
   own rules, the status decided, and the grades saved into the course's nbgrader gradebook;
4. ``report``   -- write grades.csv, results.json, per-student feedback and the class
   report.

``pipeline`` runs the stages for a whole class in parallel and resumably, after a canary
(the course's own solution and untouched release) has shown the environment works; ``check``
runs them for one notebook, without a gradebook.
"""
