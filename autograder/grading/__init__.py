"""The grading pipeline, one module per stage a submission flows through:

1. ``collect``  -- find the submissions (folder or zip), name them, read them, and
   restore the test cells from ``source/`` (noting any tampering);
2. ``execute``  -- run each in its own kernel inside the sandbox (``sandbox``), with
   time, memory and output limits;
3. ``score``    -- grade the test cells with nbgrader's own rules, decide the status,
   and save the grades into the course's nbgrader gradebook;
4. ``report``   -- write grades.csv, results.json, per-student feedback and the class
   report.

``pipeline`` runs the stages for a whole class in parallel and resumably; ``check``
runs them for one notebook, without a gradebook.
"""
