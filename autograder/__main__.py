"""``python -m autograder`` (also the ``autograder`` console script).

Authoring: ``data``, ``expected``, ``release`` generate files from ``source/``;
each has ``--check`` to report staleness without writing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import notebooks


def _labs(args) -> list[str]:
    if args.lab:
        return [notebooks.check_lab(lab) for lab in args.lab]
    return notebooks.available_labs()


def cmd_data(args) -> int:
    from autograder.authoring import datasets

    data_dir = notebooks.ROOT / "data"
    if args.check:
        planned = datasets.planned_files()
        stale = [
            n
            for n, b in planned.items()
            if not (data_dir / n).is_file() or (data_dir / n).read_bytes() != b
        ]
        print("data/ is up to date" if not stale else f"stale in data/: {', '.join(stale)}")
        return 1 if stale else 0
    changed = datasets.write(data_dir)
    print(f"wrote {', '.join(changed)}" if changed else "data/ is up to date")
    return 0


def cmd_given(args) -> int:
    from autograder.authoring import given

    status = 0
    for lab in _labs(args):
        stale = given.stale(lab) if args.check else given.update(lab)
        verb = "stale given cells" if args.check else "rewrote"
        print(f"{lab}: " + (f"{verb} {', '.join(stale)}" if stale else "given cells up to date"))
        status |= bool(stale) and args.check
    return status


def cmd_expected(args) -> int:
    from autograder.authoring import expected

    status = 0
    for lab in _labs(args):
        src = notebooks.source_path(lab)
        if args.check:
            stale = expected.stale(src)
            print(
                f"{lab}: "
                + (
                    f"stale expected arrays in {', '.join(stale)}; run `make expected`"
                    if stale
                    else "expected arrays up to date"
                )
            )
            status |= bool(stale)
        else:
            changed = expected.update(src)
            print(
                f"{lab}: "
                + (f"rewrote {', '.join(changed)}" if changed else "expected arrays up to date")
            )
    return status


def cmd_release(args) -> int:
    from autograder.authoring import release

    status = 0
    for lab in _labs(args):
        if args.check:
            stale = release.stale(lab)
            print(
                f"{lab}: "
                + (
                    f"release differs from source in {', '.join(stale)}; run `make release`"
                    if stale
                    else "release up to date"
                )
            )
            status |= bool(stale)
        else:
            out = release.generate(lab)
            print(f"{lab}: wrote {Path(out).relative_to(notebooks.ROOT)}/")
    return status


def cmd_demo(args) -> int:
    from autograder import demo

    return demo.main()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="autograder", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("data", help="write data/ from scikit-learn")
    p.add_argument("--check", action="store_true", help="report stale files, write nothing")
    p.set_defaults(func=cmd_data)
    for name, func, text in [
        ("given", cmd_given, "copy earlier labs' solutions into the cells that give them"),
        (
            "expected",
            cmd_expected,
            "regenerate the hidden tests' expected arrays from the solution",
        ),
        ("release", cmd_release, "generate release/<lab>/ with nbgrader generate_assignment"),
    ]:
        p = sub.add_parser(name, help=text)
        p.add_argument("lab", nargs="*", help="lab ids (default: every lab with a source)")
        p.add_argument("--check", action="store_true", help="report staleness, write nothing")
        p.set_defaults(func=func)
    p = sub.add_parser("demo", help="grade example submissions of every lab (make demo)")
    p.set_defaults(func=cmd_demo)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
