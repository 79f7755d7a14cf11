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
    assert "modified in place" in checks.unchanged("g", b, a).detail


def test_report_prints_and_raises_with_the_failures(capsys):
    ok = checks.Check("fine", True)
    bad = checks.Check("adam: wegt", False, "largest at [0]")
    checks.report("T", [ok])
    assert "All 1 checks passed." in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"(?s)1 of 2 checks failed.*adam: wegt.*Hint: look"):
        checks.report("T", [ok, bad], hint="look")
    out = capsys.readouterr().out
    assert "[PASS] fine" in out and "[FAIL] adam: wegt: largest at [0]" in out


def test_report_lists_only_failures_when_there_are_many(capsys):
    many = [checks.Check(f"c{i}", True) for i in range(9)] + [checks.Check("c9", False, "x")]
    with pytest.raises(AssertionError):
        checks.report("T", many)
    out = capsys.readouterr().out
    assert "[PASS]" not in out and "[FAIL] c9" in out and "9 of 10 checks passed" in out


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


def test_judge_adds_the_hint_only_to_a_failure():
    expected = {"w": np.array([1.0, 2.0])}
    checks.judge("T", {"w": [1.0, 2.0]}, expected, rtol=0, atol=0, mistakes=MISTAKES)
    with pytest.raises(AssertionError) as info:
        checks.judge("T", {"w": [1.0, np.nan]}, expected, rtol=0, atol=0, mistakes=MISTAKES)
    assert str(info.value).endswith("Hint: forgot the state")
    assert "NaN at [1]" in str(info.value)
    intact = [checks.Check("input intact", False, "was modified")]
    with pytest.raises(AssertionError, match="Hint: modified the input"):
        checks.judge(
            "T", {"w": [1.0, 2.0]}, expected, rtol=0, atol=0, checks=intact, mistakes=MISTAKES
        )
