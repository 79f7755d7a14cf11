"""What every lab must satisfy: the solution scores full marks, the release is generated and
fails unmodified, every cataloged mistake loses points exactly where it should, and every
generated file is fresh."""

import json
import re
import shutil

import claims
import figures
import pytest
from conftest import COURSE, LABS, ROOT
from scratch import load_module
from test_repo import INTERNAL_NAMES

from autograder import mistakes, notebooks
from autograder.authoring import expected, given, helpers, mistake_results, release
from autograder.course import Course
from labs import checks

pytestmark = pytest.mark.parametrize("lab", LABS)

BENCH = ROOT / "bench"


def _graded_ids(lab):
    """The test cells that carry points: the hidden tests."""
    return {
        notebooks.grade_id(c)
        for c in notebooks.read(COURSE.source_path(lab)).cells
        if notebooks.is_hidden_test(c)
    }


def _test_ids(lab):
    """Every test cell nbgrader grades: the hidden tests and the 0-point visible ones."""
    return {
        notebooks.grade_id(c)
        for c in notebooks.read(COURSE.source_path(lab)).cells
        if notebooks.is_test(c)
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


def _markdown(nb) -> str:
    return " ".join(" ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")


def test_every_claim_in_the_text_is_what_the_notebook_computes(lab, source_run):
    """Each claim of tests/claims/<lab>.py is in the source notebook's text, word for word, and its
    check holds in the kernel after Run All with full experiments."""
    nb, results = source_run(lab)
    text = _markdown(nb)
    missing = [c.text for c in claims.CLAIMS[lab] if " ".join(c.text.split()) not in text]
    assert missing == [], "claims no longer in the text: update tests/claims/<lab>.py"
    every = claims.CLAIMS[lab] + claims.TITLES[lab]
    assert results is not None and len(results["claims"]) == len(every)
    wrong = {
        c.text: got for c, got in zip(every, results["claims"], strict=True) if got is not True
    }
    assert wrong == {}, "the notebook no longer shows what its text says"


def _printed(nb) -> str:
    """Everything the code cells of a run printed or displayed as text."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            parts.append(out.get("text", "") + out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_every_number_a_claim_states_is_printed_by_the_notebook(lab, source_run):
    """ "Every claim is what the notebook prints": a number the text states as a result (with a
    decimal point, or three or more digits) appears in the notebook's output as the text
    writes it, so a student can find it; settings and hand-worked numbers are ``given``."""
    nb, _ = source_run(lab)
    printed = _printed(nb)
    unprinted = {
        c.text[:60]: missing
        for c in claims.CLAIMS[lab]
        if (
            missing := [
                n for n in claims.stated_numbers(c.text) if n not in printed and n not in c.given
            ]
        )
    }
    assert unprinted == {}, "numbers the text states that the notebook never prints"


def test_no_legend_covers_data_and_numbered_titles_are_checked(lab, source_run):
    """Every figure of a Run All, measured before Jupyter closes it (tests/figures.py): it has
    a title; no legend covers a plotted point, line, bar or label; and every title with a number
    is one that tests/claims/<lab>.py checks against the run's parameters (``TITLES``)."""
    _, results = source_run(lab)
    records = results["figures"]
    assert len(records) >= 3
    untitled = [
        r["cell"] for r in records if not r["suptitle"] and not any(a["title"] for a in r["axes"])
    ]
    assert untitled == [], "figures without a title"
    covering = [
        f"cell {r['cell']} {r['suptitle'] or r['axes'][0]['title']!r}: "
        f"the legend of {g['where']!r} covers {g['covers']} plotted things"
        for r in records
        for g in r["legends"]
        if g["covers"]
    ]
    assert covering == [], "legends that cover plotted data:\n" + "\n".join(covering)
    registered = [t.text for t in claims.TITLES[lab]]
    unchecked = [
        title
        for r in records
        for title in figures.numbered_titles(r)
        if not any(part in title for part in registered)
    ]
    assert unchecked == [], "titles with numbers that no TITLES entry checks:\n" + "\n".join(
        unchecked
    )
    drawn = [t for r in records for t in [r["suptitle"]] + [a["title"] for a in r["axes"]]]
    gone = [part for part in registered if not any(part in title for title in drawn)]
    assert gone == [], "TITLES entries whose title is no longer drawn"


def test_the_notebook_quotes_the_run_all_time_make_bench_measured(lab):
    """Honest timing: bench/runall.json holds what `make bench` measured on the 2-core
    machine, at most 30 s, and the notebook's first cell quotes that figure (rounded up to
    5 s). A slower notebook is caught at the next bench run, which rewrites the file."""
    bench = load_module("bench_notebooks", BENCH / "notebooks.py")
    measured = json.loads((BENCH / "runall.json").read_text())
    seconds = measured["run_all_seconds"][lab]
    assert measured["cores"] == 2 and 0 < seconds <= 30
    nb = notebooks.read(COURSE.source_path(lab))
    assert bench.phrase(seconds) in " ".join(nb.cells[0].source.split())
    assert re.findall(r"takes about \d+ seconds", _markdown(nb)) == [bench.phrase(seconds)]


@pytest.mark.kernel
def test_the_shortened_experiments_run_under_plain_nbgrader_autograde(lab):
    """Plain `nbgrader autograde` runs every cell with NBGRADER_EXECUTION=autograde, where the
    experiments are shortened: they must still run without an error."""
    nb = notebooks.read(COURSE.source_path(lab))
    env = {"NBGRADER_EXECUTION": "autograde"}
    notebooks.execute(nb, COURSE.source_path(lab).parent, allow_errors=True, env=env)
    errors = {
        i: notebooks.error_of(c)[:200]
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and notebooks.error_of(c)
    }
    assert errors == {}


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
    assert {c.grade_id for c in s.cells} == _test_ids(lab)
    assert all(c.score == c.max_score for c in s.cells)


def test_unmodified_release_fails_every_graded_test(lab, graded):
    s = graded(lab)["stub"]
    assert s.score == 0.0 and all(c.score == 0.0 for c in s.cells)
    assert {c.grade_id for c in s.cells} == _test_ids(lab)
    # every test fails on the stub, the 0-point visible ones included (nbgrader's Validate
    # reports those): each says it is not implemented yet
    for gid in _test_ids(lab) - _graded_ids(lab):
        assert "not implemented yet" in s.output(gid).error, gid


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
        missing = [g for g in sorted(m.fails) if _hint(s.cell(g).error) != m.hint]
        if missing:
            unhinted[m.name] = missing
    assert wrong == {}, "mistakes that did not lose points exactly on their test cells"
    assert unhinted == {}, "mistakes whose failure message lacks their hint"


def _hint(text: str) -> str:
    """The hint a failure message starts with (wrapped over lines), or ""."""
    return checks.split_failure(text)[1]


def _visible_test_ids(lab):
    return {
        notebooks.nbgrader_meta(c)["grade_id"]
        for c in notebooks.read(COURSE.source_path(lab)).cells
        if notebooks.is_visible_test(c)
    }


def test_every_mistake_fails_a_visible_test_with_its_hint_before_submission(lab, graded):
    """A mistake that costs points in a hidden test is caught while the student works: some
    visible test fails on it and starts with its hint (unless the catalog says it shows only
    on other shapes or settings). Every graded function has a visible test."""
    scores, visible = graded(lab), _visible_test_ids(lab)
    assert visible
    missed, caught_functions = {}, set()
    for m in mistakes.catalog(lab):
        if m.hidden_only:
            continue
        s = scores[f"mistake-{m.name}".replace("_", "-")]
        hinted = [g for g in visible if _hint("\n".join(s.output(g).traceback)) == m.hint]
        if hinted:
            caught_functions.add(m.cell)
        else:
            missed[m.name] = {g: s.output(g).error[:120] for g in visible if s.output(g).error}
    assert missed == {}, "mistakes no visible test names with their hint"
    assert caught_functions == set(mistakes.solution_code(lab, COURSE)), (
        "a function without visible hints"
    )
    assert all(m.hidden_only == "" or len(m.hidden_only) > 20 for m in mistakes.catalog(lab))


def test_a_failed_test_shows_its_hint_first_once_and_no_traceback(lab, graded):
    """What a student reads on a failure: one error, its first line the hint of the mistake,
    then what differs; nothing printed besides it, and no traceback into helper code."""
    scores, visible = graded(lab), _visible_test_ids(lab)
    wrong = {}
    for m in mistakes.catalog(lab):
        s = scores[f"mistake-{m.name}".replace("_", "-")]
        for gid in sorted(m.fails | visible):
            shown = s.output(gid)
            if gid in visible and not shown.error:
                continue  # this visible test does not exercise the mistake
            lines = shown.traceback
            problems = [
                what
                for what, bad in (
                    ("not one error", shown.n_errors != 1),
                    ("hint not first", not lines or not lines[0].startswith("Hint: ")),
                    ("not its hint", _hint("\n".join(lines)) != m.hint),
                    ("hint twice", "\n".join(lines).count("Hint:") != 1),
                    ("printed too", "[FAIL]" in shown.stream or "Hint:" in shown.stream),
                    ("traceback", any("Traceback" in ln or "/labs/" in ln for ln in lines)),
                )
                if bad
            ]
            if problems:
                wrong[f"{m.name} in {gid}"] = problems
    assert wrong == {}


def _look_alike(a: dict, b: dict) -> bool:
    """Whether two mistakes' results in one test are the same (so the test cannot tell which
    hint is right), at the loosest tolerance any test uses."""
    if sorted(a["failed"]) != sorted(b["failed"]) or set(a["differs"]) != set(b["differs"]):
        return False
    return all(
        checks._same(a["differs"][k], b["differs"][k], rtol=1e-6, atol=1e-9) for k in a["differs"]
    )


def test_no_test_sees_two_mistakes_alike(lab):
    """A hint is never wrong: where two cataloged mistakes give the same results in a test
    (hidden or visible), the test could show either hint, so it needs a case that tells them
    apart (e.g. dropout rate 0.2 besides 0.5, gradients of 1e-5 for epsilon)."""
    tests = {
        notebooks.grade_id(c): notebooks.written_mistakes(c.source)
        for c in notebooks.read(COURSE.source_path(lab)).cells
        if notebooks.is_hidden_test(c)
    }
    for name, entries in mistake_results.written_visible(lab, COURSE).items():
        tests[f"visible {name}"] = [
            {**e, "differs": {k: checks.decode(v) for k, v in e["differs"].items()}}
            for e in entries
        ]
    alike = [
        (test, a["hint"][:50], b["hint"][:50])
        for test, entries in tests.items()
        for i, a in enumerate(entries)
        for b in entries[i + 1 :]
        if a["hint"] != b["hint"] and _look_alike(a, b)
    ]
    assert alike == []


def test_correct_variants_get_full_marks(lab, graded):
    """The other half of the gate: other correct ways of writing the solutions (in place,
    loops, other numpy calls, epsilon placed differently) lose nothing."""
    scores = graded(lab)
    sets = mistakes.variant_sets(lab, mistakes.solution_code(lab, COURSE))
    assert {v.cell for v in mistakes.variants(lab)} == set(mistakes.solution_code(lab, COURSE))
    for k, (names, _code) in enumerate(sets, start=1):
        s = scores[f"variants-{k}"]
        lost = {c.grade_id: c.error for c in s.cells if c.score < c.max_score}
        assert lost == {}, f"correct variants {names} lost points"
        assert s.score == s.max_score


def test_catalog_entries_apply_and_cover_every_graded_function(lab):
    code = mistakes.solution_code(lab, COURSE)
    catalog = mistakes.catalog(lab)
    for m in catalog:
        assert m.cell in code and m.hint and m.fails <= _graded_ids(lab)
        assert mistakes.apply(code[m.cell], m) != code[m.cell]
    assert {m.cell for m in catalog} == set(code), "a graded function has no cataloged mistake"
    assert set().union(*(m.fails for m in catalog)) == _graded_ids(lab)


@pytest.mark.kernel
def test_expected_arrays_are_fresh(lab):
    assert expected.stale(COURSE.source_path(lab)) == []


def test_mistakes_blocks_are_fresh(lab):
    assert mistake_results.stale(lab, COURSE) == []


def test_given_cells_are_fresh(lab):
    assert given.stale(lab, COURSE) == []


def test_helper_copies_are_fresh(lab):
    assert helpers.stale(lab, COURSE) == [], "run `make helpers`"


@pytest.mark.kernel
def test_release_equals_a_fresh_generate_assignment(lab):
    assert release.stale(lab, COURSE) == []


@pytest.mark.kernel
def test_notebooks_carry_the_metadata_their_kernel_reports_so_they_open_clean(lab):
    """JupyterLab writes the kernel's kernelspec and language_info into a notebook when the
    kernel starts; a notebook that lacks them opens marked as modified."""
    want = release.kernel_metadata()
    assert not release.metadata_stale(lab, COURSE)
    assert dict(notebooks.read(COURSE.release_path(lab)).metadata) == want


def test_student_text_names_sources_the_way_students_know_them(lab):
    nb = notebooks.read(COURSE.release_path(lab))
    found = [
        (i, m.group(0)) for i, c in enumerate(nb.cells) for m in INTERNAL_NAMES.finditer(c.source)
    ]
    assert found == []
    intro = nb.cells[0].source
    assert "Where this comes from" in intro or "the lecture" in intro


def test_every_experiment_and_only_experiments_are_tagged_to_skip_in_grading(lab):
    """The pipeline does not run cells tagged 'experiment': those are the code cells of the
    source that nbgrader does not know (no test, no given code, no exercise)."""
    nb = notebooks.read(COURSE.source_path(lab))
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if notebooks.is_experiment(c)]
    assert tagged and tagged == [c for c in code if not notebooks.nbgrader_meta(c)]
    assert all("experiment" not in c.metadata.get("tags", []) for c in code if c not in tagged)


def test_read_only_cells_say_so_and_visible_tests_are_short(lab):
    """In the release: given cells start with '# Given (read-only):', visible tests with
    '# Test (read-only):' and are at most four lines, autograded cells say so too."""
    nb = notebooks.read(COURSE.release_path(lab))
    wrong = []
    for i, cell in enumerate(nb.cells):
        meta = notebooks.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("locked"):
            continue
        first = cell.source.splitlines()[0]
        if notebooks.is_visible_test(cell):
            # one or two calls; a call with many arguments may wrap (ruff format)
            ok = first.startswith("# Test (read-only):") and len(cell.source.splitlines()) <= 4
            ok = ok and meta.get("grade") and meta.get("points") == 0  # Validate reports it
        elif meta.get("grade"):
            ok = first.startswith("# Autograded test (read-only):")
        else:
            ok = first.startswith("# Given (read-only):")
        if not ok:
            wrong.append((i, first))
    assert wrong == []


def test_release_has_no_solutions_hidden_tests_or_outputs(lab):
    text = COURSE.release_path(lab).read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    nb = notebooks.read(COURSE.release_path(lab))
    for cell in nb.cells:
        if notebooks.nbgrader_meta(cell).get("solution"):
            regions = cell.source.count("### START CODE HERE ###")
            assert regions >= 1 and cell.source.count("raise NotImplementedError()") == regions
        if notebooks.nbgrader_meta(cell).get("grade"):
            assert "BEGIN EXPECTED" not in cell.source
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


@pytest.mark.kernel
def test_a_hand_edited_release_is_detected(lab, tmp_path):
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "source" / lab, tmp_path / "source" / lab)
    shutil.copytree(ROOT / "release" / lab, tmp_path / "release" / lab)
    path = tmp_path / "release" / lab / f"{lab}.ipynb"
    nb = notebooks.read(path)
    nb.cells[0].source += "\nA hand edit."
    notebooks.write(nb, path)
    assert release.stale(lab, Course(tmp_path)) == [f"{lab}.ipynb"]
