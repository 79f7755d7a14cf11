"""What every lab must satisfy: the solution scores full marks, the release is generated and
fails unmodified, every cataloged mistake loses points exactly where it should, and every
generated file is fresh."""

import shutil

import pytest
from conftest import LABS

from autograder import mistakes, notebooks
from autograder.authoring import expected, given, hints, release

pytestmark = pytest.mark.parametrize("lab", LABS)


def _graded_ids(lab):
    return {
        notebooks.nbgrader_meta(c)["grade_id"]
        for c in notebooks.graded_cells(notebooks.read(notebooks.source_path(lab)))
    }


def test_solution_runs_top_to_bottom_and_passes_every_test(lab, source_run):
    nb, results = source_run(lab)
    errors = [
        (i, notebooks.error_of(c))
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and notebooks.error_of(c)
    ]
    assert errors == []
    assert results is not None
    tests = [
        c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id", "").startswith("test")
    ]
    assert tests
    for cell in tests:
        assert "checks passed." in notebooks.stream_text(cell), cell.source[:80]
        assert "[FAIL]" not in notebooks.stream_text(cell)


def test_every_figure_has_title_labels_and_legend(lab, source_run):
    nb, _ = source_run(lab)
    images = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(images) >= 3


def test_solution_scores_full_marks(lab, graded):
    s = graded(lab)["solution"]
    assert s.score == s.max_score > 0
    assert {c.grade_id for c in s.cells} == _graded_ids(lab)


def test_unmodified_release_fails_every_graded_test(lab, graded):
    s = graded(lab)["stub"]
    assert s.score == 0.0 and all(c.score == 0.0 for c in s.cells)
    assert {c.grade_id for c in s.cells} == _graded_ids(lab)


def test_each_mistake_loses_points_exactly_on_its_tests_and_gets_its_hint(lab, graded):
    """The mutation gate: every cataloged mistake, applied to the solution and graded by
    nbgrader, loses all points of its test cells, keeps those of every other cell, and its
    failure message in each of its cells ends with its own hint."""
    scores = graded(lab)
    wrong, unhinted = {}, {}
    for m in mistakes.catalog(lab):
        s = scores[f"mistake-{m.name}".replace("_", "-")]
        failed = {c.grade_id for c in s.cells if c.score < c.max_score}
        zeroed = {c.grade_id for c in s.cells if c.score == 0}
        if failed != set(m.fails) or not set(m.fails) <= zeroed:
            wrong[m.name] = sorted(failed)
        missing = [g for g in sorted(m.fails) if f"Hint: {m.hint}" not in s.cell(g).error]
        if missing:
            unhinted[m.name] = missing
    assert wrong == {}, "mistakes that did not lose points exactly on their test cells"
    assert unhinted == {}, "mistakes whose failure message lacks their hint"


def test_visible_tests_give_each_mistake_its_hint_while_students_work(lab, graded):
    """Every visible test cell whose mistakes block knows a mistake shows that mistake's
    hint when it fails on it (before submission, in the release students run)."""
    nb = notebooks.read(notebooks.source_path(lab))
    visible = {
        notebooks.nbgrader_meta(c)["grade_id"]: {e["hint"] for e in hints.written(c.source)}
        for c in nb.cells
        if hints.has_block(c.source) and "BEGIN HIDDEN TESTS" not in c.source
    }
    assert visible, "no visible test cell has a mistakes block"
    scores, wrong, covered = graded(lab), {}, set()
    for m in mistakes.catalog(lab):
        error = scores[f"mistake-{m.name}".replace("_", "-")]
        for gid, known in visible.items():
            if m.hint not in known:
                continue
            covered.add(m.cell)
            if f"Hint: {m.hint}" not in error.error(gid):
                wrong.setdefault(m.name, []).append(gid)
    assert wrong == {}
    assert covered == set(mistakes.solution_code(lab)), "a function without visible hints"


def test_correct_variants_get_full_marks(lab, graded):
    """The other half of the gate: other correct ways of writing the solutions (in place,
    loops, other numpy calls, epsilon placed differently) lose nothing."""
    scores = graded(lab)
    sets = mistakes.variant_sets(lab, mistakes.solution_code(lab))
    assert {v.cell for v in mistakes.variants(lab)} == set(mistakes.solution_code(lab))
    for k, (names, _code) in enumerate(sets, start=1):
        s = scores[f"variants-{k}"]
        lost = {c.grade_id: c.error for c in s.cells if c.score < c.max_score}
        assert lost == {}, f"correct variants {names} lost points"
        assert s.score == s.max_score


def test_catalog_entries_apply_and_cover_every_graded_function(lab):
    code = mistakes.solution_code(lab)
    catalog = mistakes.catalog(lab)
    for m in catalog:
        assert m.cell in code and m.hint and m.fails <= _graded_ids(lab)
        assert mistakes.apply(code[m.cell], m) != code[m.cell]
    assert {m.cell for m in catalog} == set(code), "a graded function has no cataloged mistake"
    assert set().union(*(m.fails for m in catalog)) == _graded_ids(lab)


@pytest.mark.slow
def test_expected_arrays_are_fresh(lab):
    assert expected.stale(notebooks.source_path(lab)) == []


def test_mistakes_blocks_are_fresh(lab):
    assert hints.stale(lab) == []


def test_given_cells_are_fresh(lab):
    assert given.stale(lab) == []


@pytest.mark.slow
def test_release_equals_a_fresh_generate_assignment(lab):
    assert release.stale(lab) == []


def test_release_has_no_solutions_hidden_tests_or_outputs(lab):
    text = notebooks.release_path(lab).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    nb = notebooks.read(notebooks.release_path(lab))
    for cell in nb.cells:
        if notebooks.nbgrader_meta(cell).get("solution"):
            regions = cell.source.count("### START CODE HERE ###")
            assert regions >= 1 and cell.source.count("raise NotImplementedError()") == regions
        if notebooks.nbgrader_meta(cell).get("grade"):
            assert "BEGIN EXPECTED" not in cell.source
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


@pytest.mark.slow
def test_a_hand_edited_release_is_detected(lab, tmp_path):
    shutil.copy(notebooks.ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(notebooks.ROOT / "source" / lab, tmp_path / "source" / lab)
    shutil.copytree(notebooks.ROOT / "release" / lab, tmp_path / "release" / lab)
    path = tmp_path / "release" / lab / f"{lab}.ipynb"
    nb = notebooks.read(path)
    nb.cells[0].source += "\nA hand edit."
    notebooks.write(nb, path)
    assert release.stale(lab, tmp_path) == [f"{lab}.ipynb"]
