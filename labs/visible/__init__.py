"""The visible tests of each lab, one module per lab (``labs/visible/<lab>.py``).

Each assignment folder carries its lab's module as ``labs/visible_tests.py``, next to
``labs/visible_tests.json`` with the expected values and known mistakes that the course's
``make expected`` generates from the solution. A visible test cell is one call, e.g.
``visible_tests.momentum(my_optimizer)``.
"""
