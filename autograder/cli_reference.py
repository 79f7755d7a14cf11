"""The command-line reference, ``docs/instructors/cli.md``, rendered from the parser itself.

``python -m autograder.cli_reference`` prints the page; ``--write`` writes it. The page is
each command's ``--help``, at a fixed width, so it says exactly what the tool says.
``tests/test_docs.py`` renders it again and fails when the committed page differs, and checks
every ``autograder`` command the docs show against the same parser (``commands``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: The page, relative to the repository.
PAGE = Path("docs") / "instructors" / "cli.md"
#: The command that rewrites it (said by the page and by the test that finds it stale).
COMMAND = ".venv/bin/python -m autograder.cli_reference --write"
#: Columns of the help text: fixed, so the page does not depend on the terminal.
WIDTH = 88
#: Commands that pass the arguments they do not know on (``lab`` gives them to JupyterLab).
PASS_THROUGH = frozenset({"lab"})


def parser() -> argparse.ArgumentParser:
    """The parser of ``python -m autograder``."""
    from autograder.__main__ import build_parser

    return build_parser()


def _subcommands(top: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser, in the order ``--help`` lists them."""
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices.items())
    return {}


def _summaries(top: argparse.ArgumentParser) -> dict[str, str]:
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            return {a.dest: a.help or "" for a in action._choices_actions}
    return {}


def commands(top: argparse.ArgumentParser | None = None) -> dict[str, set[str] | None]:
    """Every subcommand and the option strings it accepts; None for one that passes unknown
    options on (``lab``), whose options are then not checked."""
    top = top or parser()
    found = {}
    for name, sub in _subcommands(top).items():
        flags = {flag for action in sub._actions for flag in action.option_strings}
        found[name] = None if name in PASS_THROUGH else flags
    return found


def _help(p: argparse.ArgumentParser) -> str:
    kind = p.formatter_class

    def fixed(prog):
        return kind(prog, width=WIDTH)

    p.formatter_class = fixed
    try:
        return p.format_help().rstrip()
    finally:
        p.formatter_class = kind


def render(top: argparse.ArgumentParser | None = None) -> str:
    """The page, as Markdown."""
    top = top or parser()
    subs = _subcommands(top)
    summaries = _summaries(top)
    lines = [
        "# Command-line reference",
        "",
        "*This page is generated from the parser of `autograder/__main__.py` by",
        f"`{COMMAND}`.",
        "Do not edit it: change the help texts there and run that command.",
        "`tests/test_docs.py` fails while this page differs from what the command writes.*",
        "",
        "Run the commands from the course folder, the one that holds `nbgrader_config.py`.",
        "`.venv/bin/python -m autograder` and `autograder` (the console script, once `.venv/bin`",
        "is on your `PATH`) are the same program. What `grade` decides is in",
        "[the grading rules](grading-rules.md).",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    lines += [f"| [`{name}`](#{name}) | {summaries.get(name, '')} |" for name in subs]
    lines += ["", "```text", _help(top), "```"]
    for name, sub in subs.items():
        lines += ["", f"## {name}", "", "```text", _help(sub), "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(
        prog="python -m autograder.cli_reference",
        description=f"Print {PAGE}, the command-line reference; --write writes it.",
    )
    cli.add_argument("--write", action="store_true", help=f"write {PAGE} instead of printing")
    args = cli.parse_args(argv)
    text = render()
    if args.write:
        path = Path(__file__).resolve().parent.parent / PAGE
        path.write_text(text)
        print(f"wrote {PAGE}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
