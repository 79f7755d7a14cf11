import sys

import numpy as np
import pytest

from labs import checks


def test_compare_passes_within_tolerance():
    assert checks.compare("a", [1.0, 2.0 + 1e-9], [1.0, 2.0], rtol=1e-6, atol=0).passed


def test_compare_names_the_largest_difference_and_where():
    c = checks.compare("W", [[1.0, 2.0], [3.0, 9.0]], [[1.0, 2.0], [3.0, 4.0]], rtol=1e-6, atol=0)
    assert not c.passed
    assert "1 of 4 entries differ" in c.detail
    assert "at [1, 1]" in c.detail and "got 9" in c.detail and "expected 4" in c.detail


def test_compare_reports_shape_none_nan_and_non_numbers():
    assert (
        "shape (3,), expected (2,)" in checks.compare("b", [1, 2, 3], [1, 2], rtol=0, atol=0).detail
    )
    assert "got None" in checks.compare("b", None, [1], rtol=0, atol=0).detail
    nan = checks.compare("b", [np.nan, 1.0], [0.0, 1.0], rtol=0, atol=0)
    assert not nan.passed and "NaN at [0]" in nan.detail
    assert "got a str" in checks.compare("b", "abc", [1.0], rtol=0, atol=0).detail


def test_compare_does_not_trust_the_objects_equality():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    assert not checks.compare("x", AlwaysEqual(), [1.0], rtol=0, atol=0).passed


def test_unchanged():
    a = np.arange(3.0)
    assert checks.unchanged("g", a.copy(), a).passed
    b = a.copy()
    a *= 2
    detail = checks.unchanged("g", b, a).detail
    assert detail.startswith("was modified in place: 2 of 3 entries changed, the largest at [2]")
    assert "from 2.0 to 4.0; work on new arrays" in detail


def test_a_change_and_change_back_that_misses_by_a_rounding_step_gets_the_restore_idiom():
    """numerical_gradient nudges w[i] and must leave w as given: ``+= eps``, ``-= 2 * eps``,
    ``+= eps`` can land one rounding step off, which "work on new arrays" does not explain."""
    w = np.array([[0.4, -1.3], [0.7, 2.2]])
    nudged = w.copy()
    for i in np.ndindex(w.shape):
        nudged[i] += 1e-5
        nudged[i] -= 2e-5
        nudged[i] += 1e-5
    moved = np.argwhere(nudged != w)
    assert len(moved) >= 1  # the premise: this idiom does miss here
    detail = checks.unchanged("w not modified", w, nudged).detail
    assert f"{len(moved)} of 4 entries changed" in detail and "a rounding step" in detail
    assert "old = x[i]; ...; x[i] = old" in detail and "new arrays" not in detail
    assert checks.unchanged("w", [np.nan, 1.0], [np.nan, 1.0]).passed
    assert "shape went from (2,) to (1,)" in checks.unchanged("w", [1.0, 2.0], [1.0]).detail


def test_report_prints_on_success_and_raises_once_on_failure(capsys):
    ok = checks.Check("fine", True)
    bad = checks.Check("adam: wegt", False, "largest at [0]")
    checks.report("T", [ok])
    assert capsys.readouterr().out == "T\n  [PASS] fine\nAll 1 checks passed.\n"
    with pytest.raises(checks.TestFailed) as info:
        checks.report("T", [ok, bad], hint="look")
    assert str(info.value).splitlines() == [
        "Hint: look",
        "T: 1 of 2 checks failed",
        "  [FAIL] adam: wegt: largest at [0]",
        "The other 1 checks passed.",
    ]
    assert capsys.readouterr().out == ""  # the failure is shown once: as the error
    assert isinstance(info.value, AssertionError)  # nbgrader and pytest see a failure


def test_a_long_hint_is_wrapped_and_read_back_whole():
    hint = "Your Adam bias correction uses the wrong step number: " * 4
    message = checks.failure_message("T", [checks.Check("adam", False, "x")], hint=hint.strip())
    lines = message.splitlines()
    assert lines[0].startswith("Hint: ") and len(lines[1]) <= 96 and lines[1].startswith(" " * 6)
    assert checks.split_failure("TestFailed: " + message) == (
        "T: 1 of 1 checks failed\n  [FAIL] adam: x",
        hint.strip(),
    )
    assert checks.split_failure("AssertionError: plain") == ("AssertionError: plain", "")


def test_a_failure_renders_without_a_traceback_in_ipython():
    error = checks.TestFailed("Hint: h\nT: 1 of 1 checks failed")
    assert error._render_traceback_() == ["Hint: h", "T: 1 of 1 checks failed"]


def test_report_lists_only_failures_when_there_are_many(capsys):
    many = [checks.Check(f"c{i}", True) for i in range(9)] + [checks.Check("c9", False, "x")]
    with pytest.raises(AssertionError) as info:
        checks.report("T", many)
    assert "[PASS]" not in str(info.value) and "[FAIL] c9" in str(info.value)
    assert "The other 9 checks passed" in str(info.value)
    checks.report("T", many[:9])
    assert "[PASS]" not in capsys.readouterr().out  # more than 8: the count alone


MISTAKES = [
    {"hint": "forgot the state", "differs": {"w": np.array([1.0, np.nan])}, "failed": []},
    {"hint": "modified the input", "differs": {}, "failed": ["input intact"]},
    {"hint": "no batches", "differs": {"w": None}, "failed": []},
]


def test_diagnose_names_the_mistake_whose_results_these_are():
    expected = {"w": np.array([1.0, 2.0]), "b": np.array(3.0)}

    def hint(got, failed=()):
        return checks.diagnose(got, expected, failed, MISTAKES, rtol=1e-6, atol=1e-9)

    assert hint({"w": [1.0 + 1e-9, np.nan], "b": 3.0}) == "forgot the state"  # NaN = NaN
    assert hint({"w": [1.0, 2.0], "b": 3.0}, ["input intact"]) == "modified the input"
    assert hint({"w": None, "b": 3.0}) == "no batches"
    assert hint({"w": [1.0, 2.5], "b": 3.0}) == ""  # an unknown mistake gets no guess
    assert hint({"w": [1.0, np.nan], "b": 4.0}) == ""  # a second mistake on top: no guess
    assert hint({"w": [1.0, 2.0], "b": 3.0}, ["input intact", "other"]) == ""


def test_judge_adds_the_hint_only_to_a_failure_and_puts_it_first():
    expected = {"w": np.array([1.0, 2.0])}
    checks.judge("T", {"w": [1.0, 2.0]}, expected, rtol=0, atol=0, mistakes=MISTAKES)
    with pytest.raises(AssertionError) as info:
        checks.judge("T", {"w": [1.0, np.nan]}, expected, rtol=0, atol=0, mistakes=MISTAKES)
    assert str(info.value).startswith("Hint: forgot the state\nT: 1 of 1 checks failed")
    assert "NaN at [1]" in str(info.value)
    intact = [checks.Check("input intact", False, "was modified")]
    with pytest.raises(AssertionError, match="^Hint: modified the input"):
        checks.judge(
            "T", {"w": [1.0, 2.0]}, expected, rtol=0, atol=0, checks=intact, mistakes=MISTAKES
        )


def test_judge_reports_a_result_missing_because_its_call_raised_once():
    expected = {"sgd": np.array([1.0]), "adam": np.array([2.0])}
    raised = [checks.Check("adam", False, "not implemented yet")]
    with pytest.raises(AssertionError) as info:
        checks.judge("T", {"sgd": [1.0]}, expected, rtol=0, atol=0, checks=raised)
    assert str(info.value).count("adam") == 1 and "got None" not in str(info.value)


VISIBLE_MODULE = """
from labs.checks import visible_test

@visible_test("double", rtol=0, atol=0)
def double(f):
    return {"twice 3": f(3.0)}, []

@visible_test("fixed", rtol=0, atol=0, expected={"one": [1.0]})
def fixed(f):
    return {"one": [f()]}, []
"""


@pytest.fixture
def visible_module(tmp_path, monkeypatch):
    import importlib
    import json

    (tmp_path / "my_visible.py").write_text(VISIBLE_MODULE)
    data = {
        "tests": {
            "double": {
                "expected": {"twice 3": checks.encode(6.0)},
                "mistakes": [
                    {"hint": "you added", "differs": {"twice 3": checks.encode(5.0)}, "failed": []}
                ],
            },
            "fixed": {"mistakes": []},
        }
    }
    (tmp_path / "my_visible.json").write_text(json.dumps(data))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "my_visible", raising=False)  # this test's own copy
    checks._visible_data.cache_clear()
    yield importlib.import_module("my_visible")
    checks._visible_data.cache_clear()


def test_a_visible_test_judges_against_the_data_beside_its_module(visible_module, capsys):
    visible_module.double(lambda x: 2 * x)
    assert "All 1 checks passed." in capsys.readouterr().out
    with pytest.raises(checks.TestFailed, match="^Hint: you added\ndouble: 1 of 1"):
        visible_module.double(lambda x: x + 2)
    visible_module.fixed(lambda: 1.0)  # fixed expected values, as a source printed them
    with pytest.raises(checks.TestFailed, match="got 2, expected 1"):
        visible_module.fixed(lambda: 2.0)


def test_a_visible_test_says_what_to_do_when_the_student_code_raises(visible_module):
    def stub(x):
        raise NotImplementedError()

    with pytest.raises(checks.TestFailed, match="not implemented yet. Replace"):
        visible_module.double(stub)

    def broken(x):
        return [1, 2][x]

    with pytest.raises(checks.TestFailed) as info:
        visible_module.double(broken)
    text = str(info.value)
    assert "raised TypeError" in text and "in broken" in text and "return [1, 2][x]" in text
    assert "labs/checks.py" not in text and "in __call__" not in text  # no helper frames


def test_a_visible_test_without_its_data_file_says_what_to_do(visible_module, tmp_path):
    (tmp_path / "my_visible.json").unlink()
    with pytest.raises(FileNotFoundError, match="my_visible.json is missing.*again"):
        visible_module.double(lambda x: 2 * x)


def test_a_result_and_its_check_count_once_and_the_result_decides():
    expected = {"x": np.array([1.0]), "x not modified": np.array([2.0])}
    ok = [checks.Check("x not modified", True)]
    passed, text = checks.verdict(
        "T", {"x": [1.0], "x not modified": [2.0]}, expected, rtol=0, atol=0, checks=ok
    )
    assert passed and text.endswith("All 2 checks passed.")
    # a check that claims success cannot hide a result that differs (it may be forged)
    passed, text = checks.verdict(
        "T", {"x": [1.0], "x not modified": [3.0]}, expected, rtol=0, atol=0, checks=ok
    )
    assert not passed and "[FAIL] x not modified: 1 of 1 entries differ" in text
    failed = [checks.Check("x not modified", False, "was modified in place")]
    passed, text = checks.verdict(
        "T", {"x": [1.0], "x not modified": [3.0]}, expected, rtol=0, atol=0, checks=failed
    )
    assert not passed and text.count("x not modified") == 1 and "modified in place" in text
