"""The docs (README.md, docs/, bench/README.md) say only what is true of the repository: every
link between them resolves, anchors included; every command they show exists (make targets in
the Makefile, ``autograder`` subcommands and options in its parser, ``python -m`` modules);
every file of the repository they name exists; the README stays short; and the generated
command-line reference is current. Each failure names the page and what to fix."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
from functools import cache
from pathlib import Path

import pytest

from autograder import cli_reference

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").rglob("*.md")])
README_MAX_LINES = 100
FENCE = re.compile(r"^([ \t]*)(```|~~~)([^\n]*)\n(.*?)^\1\2[ \t]*$", re.M | re.S)
SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
#: Folders whose files a page may name by their path in the repository.
TRACKED = ("autograder/", "tests/", "bench/", "docs/", "source/", "release/", "labs/", "data/")


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@cache
def _split(path: Path) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A page's prose (fenced blocks blanked, so line numbers stay) and its fenced blocks,
    each with its info string."""
    text = path.read_text()
    blocks = tuple((m.group(3).strip(), m.group(4)) for m in FENCE.finditer(text))
    prose = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return prose, blocks


def _spans(path: Path) -> list[str]:
    prose, _ = _split(path)
    return SPAN.findall(prose)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower-cased, without punctuation,
    spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"[`*]", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    prose, _ = _split(path)
    seen: dict[str, int] = {}
    found = set()
    for m in HEADING.finditer(prose):
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return frozenset(found)


def _links(path: Path) -> list[str]:
    prose, _ = _split(path)
    return LINK.findall(SPAN.sub("code", prose))


def test_the_pages_are_found():
    names = {_rel(p) for p in PAGES}
    assert {"README.md", "bench/README.md", "docs/README.md", "docs/instructors/cli.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_every_link_resolves(page):
    broken = []
    for target in _links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: -- not between the docs
            continue
        where, _, anchor = target.partition("#")
        dest = (page.parent / where).resolve() if where else page
        if not dest.is_relative_to(ROOT) or not dest.exists():
            broken.append(f"{target}: no such file")
            continue
        if dest.is_dir():
            if not (dest / "README.md").is_file():
                broken.append(f"{target}: a folder without a README.md")
                continue
            dest = dest / "README.md"
        if anchor and (dest.suffix != ".md" or anchor not in anchors(dest)):
            broken.append(f"{target}: no heading with the anchor #{anchor} in {_rel(dest)}")
    assert broken == [], f"{_rel(page)}: broken links:\n" + "\n".join(broken)


def test_slugs_are_githubs():
    assert slug("Grades back: an export never clears a grade") == (
        "grades-back-an-export-never-clears-a-grade"
    )
    assert slug("On paper: a class of 10,000 submissions") == (
        "on-paper-a-class-of-10000-submissions"
    )
    assert slug("Editors' rewrites") == "editors-rewrites"
    assert slug("`grade`'s exit status") == "grades-exit-status"


# -- commands --------------------------------------------------------------------------


def _command_lines(page: Path) -> list[str]:
    """Every shell line the page shows: each inline code span, and each line of its fenced
    blocks but Python and program output (``text``), with continuations joined. A span that
    starts with a subcommand and an option (`grade --due`) is an ``autograder`` command."""
    commands = parser_commands()[1]
    lines = [
        f"autograder {span}" if span.split()[0] in commands and " --" in span else span
        for span in _spans(page)
    ]
    for info, body in _split(page)[1]:
        if info in ("python", "text", "json", "yaml"):
            continue
        lines += body.replace("\\\n", " ").splitlines()
    return lines


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:  # an unbalanced quote: prose in a code span, not a command
        return line.split()


ENDS = {"&&", "||", ";", "|", ">", ">>", "<"}


@cache
def make_targets() -> frozenset[str]:
    text = (ROOT / "Makefile").read_text()
    return frozenset(re.findall(r"^([A-Za-z0-9][\w.-]*)\s*:(?!=)", text, re.M))


@cache
def parser_commands() -> tuple[frozenset[str], dict[str, set[str] | None]]:
    top = cli_reference.parser()
    return frozenset(flag for a in top._actions for flag in a.option_strings), (
        cli_reference.commands(top)
    )


def problems_of(line: str) -> list[str]:
    """What in one shell line names a make target, an autograder command or option, or a
    ``python -m`` module that does not exist."""
    words = _words(line)
    found = []
    for i, word in enumerate(words):
        rest = []
        for w in words[i + 1 :]:
            if w in ENDS:
                break
            rest.append(w)
        if word == "make" and (i == 0 or words[i - 1] in ENDS):
            for target in rest:
                if target.startswith("-") or "=" in target:
                    break
                if target not in make_targets():
                    found.append(f"`make {target}`: no such target in the Makefile")
        if word == "-m" and i > 0 and re.search(r"python[\d.]*$", words[i - 1]) and rest:
            module = rest[0]
            if importlib.util.find_spec(module) is None:
                found.append(f"`python -m {module}`: no such module")
        by_module = word == "autograder" and i > 0 and words[i - 1] == "-m"
        if by_module or (word == "autograder" and (i == 0 or words[i - 1] in ENDS)):
            found += _autograder_problems(rest)
    return found


def _autograder_problems(args: list[str]) -> list[str]:
    top_flags, commands = parser_commands()
    i = 0
    while i < len(args) and args[i].startswith("-"):  # options before the subcommand
        if args[i].split("=")[0] not in top_flags:
            return [f"`autograder {args[i]}`: no such option"]
        i += 1
    if i == len(args):
        return []
    name = args[i]
    if name not in commands:
        return [f"`autograder {name}`: no such subcommand (the parser has {sorted(commands)})"]
    flags = commands[name]
    if flags is None:  # passes unknown options on (lab: to JupyterLab)
        return []
    return [
        f"`autograder {name} {arg}`: {name} has no option {arg.split('=')[0]}"
        for arg in args[i + 1 :]
        if arg.startswith("--") and arg.split("=")[0] not in flags
    ]


def test_the_command_check_finds_what_does_not_exist():
    assert problems_of("make demo") == []
    assert problems_of("make no-such-target")
    assert problems_of(".venv/bin/python -m autograder grade lab2 x.zip --roster r.csv") == []
    assert problems_of(".venv/bin/python -m autograder grade lab2 x --no-such-flag")
    assert problems_of("autograder no-such-command")
    assert problems_of("autograder -v check x.ipynb") == []
    assert problems_of("python -m no_such_module_here")
    assert problems_of("autograder lab --no-browser") == []  # passed on to JupyterLab
    assert problems_of("cd x && make lint && autograder export l --to canvas --column C") == []


@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_every_command_exists(page):
    found = [p for line in _command_lines(page) for p in problems_of(line)]
    assert found == [], f"{_rel(page)}:\n" + "\n".join(dict.fromkeys(found))


def test_every_make_target_is_in_the_development_page():
    text = (ROOT / "docs" / "development.md").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.M)
    missing = [t for t in phony.group(1).split() if f"`make {t}`" not in text]
    assert missing == [], f"docs/development.md's table of make targets lacks {missing}"


# -- files -----------------------------------------------------------------------------


def _exists(path: str) -> bool:
    if (ROOT / path).exists():
        return True
    # labs/... and data/... also name a lab folder's copies (source/<lab>/labs/...)
    top, _, rest = path.partition("/")
    return top in ("labs", "data") and any(ROOT.glob(f"source/*/{top}/{rest}"))


@pytest.mark.parametrize("page", [p for p in PAGES if p.name != "cli.md"], ids=_rel)
def test_every_file_named_exists(page):
    """A page names a file of the repository in a code span (`autograder/text.py`); paths
    with placeholders (`source/<lab>/`) or globs are patterns, not files."""
    named = set()
    for span in _spans(page):
        for word in span.split():
            word = word.strip("()`,;:'\"")
            if word.startswith(TRACKED) and not re.search(r"[<>*…]|\.\.\.", word):
                named.add(word.rstrip("/"))
    missing = sorted(p for p in named if not _exists(p))
    assert missing == [], f"{_rel(page)} names files that do not exist: {missing}"


def _code_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    tracked = {ROOT / p for p in out.stdout.split()}
    found = tracked | set((ROOT / "autograder").rglob("*.py")) | set((ROOT / "tests").rglob("*.py"))
    return sorted(
        p
        for p in found
        if p.suffix == ".py"
        and p.is_file()
        and p.relative_to(ROOT).parts[0] in ("autograder", "tests", "labs", "bench")
    )


def test_every_docs_page_the_code_names_exists():
    """Help texts, messages and docstrings that send a reader to docs/ name a page or folder
    that is there (docs/ moves; the code must follow)."""
    missing = []
    for path in _code_files():
        for m in re.finditer(r"(?<![\w/.-])docs/[\w./-]*[\w/]", path.read_text()):
            if not (ROOT / m.group(0)).exists():
                missing.append(f"{_rel(path)}: {m.group(0)}")
    assert missing == []


# -- the README and the generated page -------------------------------------------------


def test_the_readme_is_short():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines; keep it to {README_MAX_LINES} and move the rest "
        "into docs/"
    )


def test_the_readme_names_each_audience_and_the_recipe():
    text = (ROOT / "README.md").read_text()
    for command in ("make lab", "make demo", "autograder check", "autograder grade"):
        assert command in text, command
    recipe = text[text.index("## Grade your class") :]
    steps = ["**Prerequisites", "**Release", "**Grade", "report.html", "**Export"]
    places = [recipe.find(step) for step in steps]
    assert -1 not in places and places == sorted(places), dict(zip(steps, places, strict=True))


def test_the_cli_reference_is_current():
    page = ROOT / cli_reference.PAGE
    assert page.is_file(), f"{cli_reference.PAGE} is missing: run `{cli_reference.COMMAND}`"
    assert page.read_text() == cli_reference.render(), (
        f"{cli_reference.PAGE} is stale: run `{cli_reference.COMMAND}`"
    )
