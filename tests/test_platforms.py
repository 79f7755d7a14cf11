"""Every platform is one module behind one interface: the list of them, each implementing all
of it, each with its tests and its page of the docs, and no platform named anywhere else."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from conftest import ROOT

from autograder import platforms
from autograder.platforms.base import Export, ExportError, Line, Person, Platform, Table, Tree

NAMES = {"nbgrader", "canvas", "moodle", "brightspace", "blackboard", "gradescope"}
ALL = sorted(platforms.registry().values(), key=lambda p: p.name)


def test_the_platforms_are_the_six_modules_of_the_package():
    assert set(platforms.registry()) == NAMES
    modules = {p.stem for p in (ROOT / "autograder" / "platforms").glob("*.py")}
    assert modules - {"__init__", "base"} == NAMES
    assert [p.fallback for p in platforms.registry().values()][-1]  # the fallback is asked last
    assert sum(p.fallback for p in ALL) == 1


@pytest.mark.parametrize("platform", ALL, ids=lambda p: p.name)
def test_each_implements_the_whole_interface(platform, tmp_path):
    assert type(platform) is not Platform
    assert platform.name and platform.title and platform.source and platform.roster_help
    module = inspect.getmodule(type(platform))
    assert "Source:" in module.__doc__  # where its names and formats were read
    for method in ("owner", "resembles", "roster", "write"):
        assert getattr(type(platform), method) is not getattr(Platform, method), method
    tree = Tree(tmp_path, ("x.ipynb",), "lab", ("lab",))
    handed = platform.owner("x.ipynb", tree)
    assert handed is None or handed.person.platform in ("", platform.name)
    assert platform.resembles("x.ipynb") in (True, False)
    assert platform.roster(Table(tmp_path / "r.csv", ["name", "score"], [["a", "1"]]), None) is None
    line = Line(Person("s1", "Ann Lee", platform.name, "1", "a@x.edu", "S1", "ann"), "7")
    for target in platform.targets:
        written = platform.write(target, [line], tmp_path / f"{target}.csv", Export("Lab", 10))
        assert (tmp_path / f"{target}.csv").is_file() and written.howto
        assert len(written.lines) + len(written.left_out) == 1
    if not platform.targets:
        with pytest.raises(ExportError):
            platform.write(platform.name, [line], tmp_path / "x.csv", Export("Lab", 10))
    if platform.upload_arguments:
        assert type(platform).upload is not Platform.upload and platform.token_variable
    else:
        with pytest.raises(ExportError):
            platform.upload([line], {}, 10)


def test_target_names_are_unique_and_the_cli_offers_every_one():
    from autograder.__main__ import _platform_options

    targets = [t for p in ALL for t in p.targets]
    assert len(targets) == len(set(targets)) == len(platforms.targets())
    assert set(targets) == {"canvas", "moodle", "moodle-worksheet", "brightspace", "blackboard"}
    assert {"groups", "timezone"} <= set(_platform_options())


@pytest.mark.parametrize("name", sorted(NAMES))
def test_each_has_its_tests_and_its_page_of_the_docs(name):
    assert (ROOT / "tests" / "platforms" / f"test_{name}.py").is_file()
    page = ROOT / "docs" / "instructors" / "platforms" / f"{name}.md"
    assert page.is_file(), page
    text = page.read_text()
    assert platforms.get(name).title in text and "## " in text
    index = (ROOT / "docs" / "instructors" / "platforms" / "README.md").read_text()
    assert f"({name}.md)" in index


def test_no_platform_is_named_outside_its_own_module():
    """Adding a platform touches its module, its tests and its docs, nothing else. (nbgrader's
    name is also the key of its cell metadata, so it is left out of the search.)"""
    found = []
    for path in sorted((ROOT / "autograder").rglob("*.py")):
        text = path.read_text()
        for name in NAMES - {"nbgrader"}:
            if path.stem == name and path.parent.name == "platforms":
                continue
            found += [f"{path.name}: {name}" for _ in re.finditer(rf"[\"']{name}[\"']", text)]
    assert found == []


def test_every_example_roster_is_read_by_its_platform_alone(tmp_path):
    """The detectors do not overlap: each export is claimed by one platform only."""
    examples = {
        "canvas": 'Student,ID,SIS User ID,SIS Login ID,Section\n"A, B",1,,ab,X\n',
        "moodle": (
            "First name,Last name,ID number,Institution,Department,Email address\nA,B,1,U,D,a@x\n"
        ),
        "brightspace": (
            "OrgDefinedId,Username,Last Name,First Name,Email,End-of-Line Indicator\n"
            "#1,#ab,B,A,a@x,#\n"
        ),
        "blackboard": (
            '"Last Name"\t"First Name"\t"Username"\t"Student ID"\t"Last Access"\t"Availability"\n'
            '"B"\t"A"\t"ab"\t"1"\t""\t"Yes"\n'
        ),
        "gradescope": (
            "First Name,Last Name,SID,Email,Total Score,Max Points,Status\nA,B,1,a@x,1,1,Graded\n"
        ),
        "nbgrader": "id,first_name,last_name,email,lms_user_id\nab,A,B,a@x,\n",
    }
    assert set(examples) == NAMES
    for name, text in examples.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        table = platforms.read_table(path)
        readers = [p.name for p in ALL if p.roster(table, None) is not None]
        assert readers == [name], (name, readers)
        assert platforms.Roster.read(path).platform == name


def test_a_roster_no_platform_reads_lists_what_each_reads(tmp_path):
    path = Path(tmp_path / "grades.csv")
    path.write_text("name,score\nann,3\n")
    with pytest.raises(platforms.RosterError) as caught:
        platforms.Roster.read(path)
    for p in ALL:
        assert p.roster_help in str(caught.value)


def test_odd_names_and_metadata_never_stop_a_class(tmp_path):
    """Each odd file is its own row: out-of-range dates, absurd numbers, metadata of the wrong
    shape, names that are not UTF-8."""
    import os
    import zipfile
    from zoneinfo import ZoneInfo

    from scratch import LAB, TINY, download, intake_rows

    receipt = b"Name: Bob B (bob)\nAssignment: Lab 2\n"
    cases = {
        "blackboard in the year 9999": {
            "Lab 2_bob_attempt_9999-12-31-23-00-00.txt": receipt,
            f"Lab 2_bob_attempt_9999-12-31-23-00-00_{LAB}.ipynb": TINY,
        },
        "brightspace in the year 1": {f"1-2 - Bob B - Jan 1, 0001 1200 AM/{LAB}.ipynb": TINY},
    }
    for key, metadata in {
        "gradescope with a date that is none": ":created_at: 2023-13-45 10:00:00",
        "gradescope with :history: 3": ":created_at: 2023-12-02 02:52:07 Z\n  :history: 3",
        "gradescope with a 5000-digit SID": ":created_at: 2023-12-02 02:52:07 Z",
    }.items():
        sid = "9" * 5000 if "5000" in key else "'1'"
        yaml = (
            f"submission_1:\n  :submitters:\n  - :name: A\n    :sid: {sid}\n    :email: a@x\n"
            f"  {metadata}\n"
        )
        cases[key] = {"submission_metadata.yml": yaml.encode(), f"submission_1/{LAB}.ipynb": TINY}
    for what, files in cases.items():
        found = intake_rows(
            download(tmp_path / what.replace(" ", "-"), files),
            options={"timezone": ZoneInfo("Asia/Tokyo")},
        )
        assert len(found) == len(files) or what.startswith("blackboard"), what
        for sub in found.values():
            assert sub.row().reason or sub.runs, what
    archive = tmp_path / "canvas.zip"  # a name too long for a disk: a zip entry, refused
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"bob_1_{'9' * 4400}_{LAB}.ipynb", TINY)
    (long,) = intake_rows(archive).values()
    assert long.stopped.status == "error" and "could not be extracted" in long.stopped.reason
    raw = os.fsencode(str(tmp_path / "bytes"))
    for name in (b"J\xffn_5_assignsubmission_file/x.ipynb", b"sm\xffith_111_222_x.ipynb"):
        os.makedirs(os.path.dirname(os.path.join(raw, name)), exist_ok=True)
        with open(os.path.join(raw, name), "wb") as fh:
            fh.write(TINY)
    found = intake_rows(tmp_path / "bytes")
    assert len(found) == 2
    for sub in found.values():
        assert sub.student_id == "" and "not UTF-8" in sub.stopped.reason
        sub.row()  # a row that can be written
