"""autograder.notebooks, the one owner of the notebook format: the kinds of cell, the generated
blocks' grammar, the one atomic writer, and the layers that import it instead of each other.
No kernel: the unit tier."""

from __future__ import annotations

import ast
import os

import numpy as np
import pytest
from conftest import COURSE, LABS, ROOT
from nbformat.v4 import new_code_cell, new_markdown_cell

from autograder import notebooks


def _cell(source="pass", kind="code", tags=(), **nbgrader):
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = nbgrader
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


HIDDEN = _cell(
    f"x = 1\n{notebooks.render_expected({'x': np.ones(2)})}\nchecks.judge('x', rtol=0, atol=0)",
    grade=True,
    grade_id="test_x",
    points=2,
)
VISIBLE = _cell("visible_tests.double(double)", grade=True, grade_id="test_v", points=0)
PLAIN = _cell("assert double(2) == 4", grade=True, grade_id="test_p", points=1)
ANSWER = _cell("def double(x): ...", solution=True, grade_id="double")
BY_HAND = _cell("Why?", kind="markdown", solution=True, grade=True, grade_id="why", points=3)
GIVEN = _cell("import numpy as np", locked=True, grade_id="setup")
TASK = _cell("Plot it.", kind="markdown", task=True, grade_id="task", points=1)
EXPERIMENT = _cell("train()", tags=["experiment"])
OWN = _cell("print('mine')")
CELLS = {
    "hidden": HIDDEN,
    "visible": VISIBLE,
    "plain": PLAIN,
    "answer": ANSWER,
    "by_hand": BY_HAND,
    "given": GIVEN,
    "task": TASK,
    "experiment": EXPERIMENT,
    "own": OWN,
}


@pytest.mark.parametrize(
    ("predicate", "kinds"),
    [
        (notebooks.is_test, {"hidden", "visible", "plain"}),
        (notebooks.is_hidden_test, {"hidden"}),
        (notebooks.is_visible_test, {"visible"}),
        (notebooks.is_answer, {"answer", "by_hand"}),
        (notebooks.is_read_only, {"hidden", "visible", "plain", "given"}),
        (notebooks.is_scored, {"hidden", "plain", "by_hand", "task"}),
        (notebooks.is_experiment, {"experiment"}),
    ],
)
def test_each_kind_of_cell_has_one_predicate(predicate, kinds):
    assert {name for name, cell in CELLS.items() if predicate(cell)} == kinds


def test_metadata_a_submission_forged_is_read_without_trusting_it():
    odd = [_cell(), _cell(grade_id=["x"]), _cell(grade_id=""), new_code_cell("pass")]
    odd[0].metadata["nbgrader"] = "not a mapping"
    assert [notebooks.grade_id(c) for c in odd] == [None, None, None, None]
    assert (
        notebooks.claimed_meta(odd[0]) == "not a mapping" and notebooks.nbgrader_meta(odd[0]) == {}
    )
    assert not any(notebooks.is_test(c) or notebooks.is_read_only(c) for c in odd)
    assert notebooks.points(HIDDEN) == 2.0 and notebooks.points(ANSWER) == 0.0


def test_every_lab_s_tests_are_its_hidden_and_visible_tests():
    for lab in LABS:
        cells = notebooks.read(COURSE.source_path(lab)).cells
        tests = [c for c in cells if notebooks.is_test(c)]
        hidden = [c for c in tests if notebooks.is_hidden_test(c)]
        visible = [c for c in tests if notebooks.is_visible_test(c)]
        assert hidden and visible and len(hidden) + len(visible) == len(tests), lab
        assert all(notebooks.points(c) > 0 for c in hidden), lab
        assert all(notebooks.points(c) == 0 for c in visible), lab


def test_the_blocks_read_back_what_was_written():
    values = {"case 1": np.arange(6.0).reshape(2, 3), "case 2": np.array([0.1, -2e-300])}
    source = notebooks.with_expected(HIDDEN.source, values)
    got = notebooks.written_expected(source)
    assert list(got) == list(values) and all(np.array_equal(got[k], values[k]) for k in values)
    compute, end = notebooks.hidden_test_parts(source)
    assert compute == "x = 1\n" and end.strip() == "checks.judge('x', rtol=0, atol=0)"
    assert notebooks.written_mistakes(source) == [] and notebooks.mistakes_keys(source) == []
    entry = {"hint": "a hint", "differs": {"x": np.array([np.nan, np.inf])}, "failed": ["a"]}
    once = notebooks.with_mistakes(source, notebooks.render_mistakes([entry], "k1"))
    twice = notebooks.with_mistakes(once, notebooks.render_mistakes([entry], "k2"))
    assert notebooks.mistakes_keys(twice) == ["k2"]
    assert notebooks.hidden_test_parts(twice) == (compute, end)
    [read] = notebooks.written_mistakes(twice)
    assert read["hint"] == "a hint" and read["failed"] == ["a"]
    assert np.array_equal(read["differs"]["x"], entry["differs"]["x"], equal_nan=True)
    assert notebooks.without_mistakes(twice) == source
    with pytest.raises(notebooks.BlockError):
        notebooks.written_expected(PLAIN.source)


def test_write_atomic_replaces_a_file_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "deep" / "results.json"
    notebooks.write_atomic(path, "old")
    notebooks.write_atomic(path, "néw")
    assert path.read_text(encoding="utf-8") == "néw"
    notebooks.write_atomic(path, b"\x00bytes")
    assert path.read_bytes() == b"\x00bytes"

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        notebooks.write_atomic(path, "half")
    assert path.read_bytes() == b"\x00bytes"
    assert sorted(p.name for p in path.parent.iterdir()) == ["results.json"]  # no temp left


def _imports(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


@pytest.mark.parametrize(
    ("layer", "must_not"),
    [
        ("autograder/grading", ("autograder.authoring",)),
        ("autograder/authoring", ("autograder.grading",)),
        (
            "autograder/grading/sandbox",
            ("autograder.authoring", "autograder.grading.instrument", "autograder.grading.judge"),
        ),
    ],
)
def test_the_layers_share_the_format_module_and_never_import_each_other(layer, must_not):
    crossing = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for name in _imports(path)
        if name.startswith(must_not)
    }
    assert crossing == set()
