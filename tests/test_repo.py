"""Repository rules: layout, clean notebooks, lint, the lock, no solutions in labs/."""

import re
import subprocess
import sys
import tomllib
from importlib import metadata

from autograder import notebooks

ROOT = notebooks.ROOT
TOP_LEVEL = {
    "labs",
    "source",
    "release",
    "autograder",
    "data",
    "nbgrader_config.py",
    "README.md",
    "pyproject.toml",
    "Makefile",
    "tests",
    ".ci",
    "bench",
    "requirements.lock",
    ".gitignore",
}


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_top_level_layout():
    extra = {p.split("/")[0] for p in _tracked()} - TOP_LEVEL
    assert extra == set(), f"unexpected top-level entries: {sorted(extra)}"


def test_ci_runs_make_test_and_nothing_else():
    lines = [
        ln
        for ln in (ROOT / ".ci" / "run").read_text().splitlines()
        if ln.strip()
        and not ln.startswith("#")
        and not ln.startswith("set ")
        and not ln.startswith("cd ")
    ]
    assert lines == ["exec make test"]


def _all_notebooks():
    return sorted(ROOT.glob("source/*/*.ipynb")) + sorted(ROOT.glob("release/*/*.ipynb"))


def test_notebooks_are_committed_clean():
    nbs = _all_notebooks()
    assert nbs, "no notebooks found"
    for path in nbs:
        nb = notebooks.read(path)
        assert set(nb.metadata) <= {"kernelspec", "language_info"}, path
        allowed = {"nbgrader"} if "source" in path.parts else {"nbgrader", "deletable", "editable"}
        for cell in nb.cells:
            assert set(cell.metadata) <= allowed, (path, cell.metadata)
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path


def test_ruff_lint_and_format_pass_on_code_and_notebooks():
    for args in (["check", "."], ["format", "--check", "."]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def _solution_fingerprints(lab: str) -> set[str]:
    """Pieces of the lab's solution that would betray a leak: every line of 30 or more
    characters, a one-line solution whole, and every two consecutive lines (whitespace
    removed). Short generic lines alone (``np.random.seed(seed)``) are not evidence."""
    nb = notebooks.read(notebooks.source_path(lab))
    found = set()
    for cell in nb.cells:
        for block in re.findall(r"BEGIN SOLUTION(.*?)END SOLUTION", cell.source, re.S):
            lines = [re.sub(r"\s+", "", ln.split("#")[0]) for ln in block.splitlines()]
            lines = [ln for ln in lines if ln]
            if len(lines) == 1:
                found.add(lines[0])
            found.update(ln for ln in lines if len(ln) >= 30)
            found.update(a + b for a, b in zip(lines, lines[1:], strict=False))
    return found


def _leaks(text: str, lab: str) -> list[str]:
    pieces = _solution_fingerprints(lab)
    assert pieces, f"{lab}: no solution found -- the check would be vacuous"
    squeezed = re.sub(r"\s+", "", text)
    return sorted(piece for piece in pieces if piece in squeezed)


def test_labs_package_holds_no_solution():
    helpers = "".join(p.read_text() for p in (ROOT / "labs").rglob("*.py"))
    for lab in notebooks.available_labs():
        assert _leaks(helpers, lab) == [], f"labs/ contains solution code of {lab}"


def test_the_leak_check_catches_a_planted_solution():
    planted = "def helper(grad, mask):\n    grad_a = grad * mask\n    return grad_a\n"
    assert _leaks(planted, "lab3_regularization") == ["grad_a=grad*mask"]
    momentum = (
        "W_dlt = gamma * opt.W_dt + alpha * W_grad\nB_dlt = gamma * opt.B_dt + alpha * B_grad"
    )
    assert _leaks(momentum, "lab2_optimizers")


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return pins


def test_every_declared_dependency_is_pinned_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    pins = _lock()
    for req in declared:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[ ;]", req)[0]).lower()
        assert name in pins, f"{name} is declared in pyproject.toml but not pinned: make lock"


def test_the_environment_is_the_locked_one():
    mismatched = {}
    for name, version in _lock().items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = None
        if have != version:
            mismatched[name] = (version, have)
    assert mismatched == {}, f"installed packages differ from requirements.lock: {mismatched}"
