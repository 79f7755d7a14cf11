"""Grading, read as the path of one submission (see ``pipeline``):

``intake`` -> ``restore`` -> ``instrument`` -> ``run`` -> ``judge`` -> ``score`` -> ``record``,
one module per stage, over one record (``submission.Submission``) that ends as a row;
``report`` writes the class's pages from the rows; ``gradebook`` is everything that touches
nbgrader's database; ``sandbox`` is where a submission's code runs (bubblewrap, the warm
zygote, the local and Dask engines).
"""
