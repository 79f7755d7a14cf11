"""``autograder export``, whatever the platform: the gradebook's grades, scaled and rounded,
only for people with a grade, everyone else listed beside the file. Each platform's file and
importer are tested with its module (tests/platforms/)."""

from __future__ import annotations

import pytest
from scratch import LAB, export, gradebook_course, read_csv_bom

from autograder import export as command
from autograder import platforms
from autograder.platforms.base import Export, Line, Person

FORMULA_FIRST, FORMULA_LAST = '=HYPERLINK("http://x")', "@SUM(1)"

STUDENTS = {  # student id: (first, last, email, LMS user id, points or None, penalty, manual)
    "alee": ("Ann", "Lee", "ann@example.edu", "1001", (6, 1.5), 0, False),
    "jnunez": ("José", "Núñez", "jose@example.edu", "1002", (6, 4), 2, False),
    "mallory": (FORMULA_FIRST, FORMULA_LAST, "mal@example.edu", "1003", (4, 0), 0, True),
    "nosub": ("Noah", "Sub", "noah@example.edu", "1005", None, 0, False),
    "tardy": ("Tara", "Dee", "tara@example.edu", "1006", (6, 4), 15, False),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return gradebook_course(tmp_path_factory.mktemp("course"), LAB, STUDENTS)


def test_every_grade_is_the_gradebooks_scaled_and_no_one_without_one_is_written(course, tmp_path):
    graded, points = command.read_gradebook(f"sqlite:///{course / 'gradebook.db'}", LAB)
    assert points == 10
    expected = {p.student_id: g.score for p, g in graded}
    assert expected == {"alee": 7.5, "jnunez": 8.0, "mallory": 4.0, "tardy": 0.0}  # not nosub
    for target in ("canvas", "moodle", "brightspace", "blackboard"):
        out = tmp_path / f"{target}.csv"
        assert (
            export(course, LAB, "--to", target, "--out", str(out), "--points", "20", at=tmp_path)
            == 0
        )
        rows = read_csv_bom(out)
        grade_column = next(i for i, h in enumerate(rows[0]) if LAB in h)
        grades = sorted(r[grade_column] for r in rows[1:] if "Points Possible" not in r[0])
        assert "" not in grades, target  # never an empty cell: it would clear a grade
        if target in ("canvas", "moodle"):  # they place everyone of the gradebook
            assert grades == sorted(command.fmt(2 * v) for v in expected.values()), target


def test_a_roster_person_without_a_grade_and_a_graded_stranger_are_listed_beside(
    course, tmp_path, capsys
):
    roster = (
        "Student,ID,SIS User ID,SIS Login ID,Section\n"
        '"Lee, Ann",1001,,alee,A\n'
        '"Zed, Zoe",1007,,zzed,B\n'
        '"Sub, Noah",1005,,nosub,B\n'
    )
    out = tmp_path / "canvas.csv"
    assert (
        export(
            course, LAB, "--to", "canvas", "--out", str(out), roster=roster, at=tmp_path / "r.csv"
        )
        == 0
    )
    assert [r[1] for r in read_csv_bom(out)[2:]] == ["1001"]
    said = capsys.readouterr().out
    assert (
        "left out, no grade in the gradebook" in said and "Zoe Zed" in said and "Noah Sub" in said
    )
    assert "left out, not in the roster: 3 students" in said
    assert "needs manual grading in formgrader: 1 student: mallory" in said
    side = read_csv_bom(command.left_out_path(out))
    assert side[0] == ["student_id", "name", "email", "platform", "user_id", "reason", "grade"]
    assert {r[0] for r in side[1:]} == {"zzed", "nosub", "jnunez", "mallory", "tardy"}
    assert export(course, LAB, "--to", "canvas", "--out", str(out), at=tmp_path) == 0
    assert not command.left_out_path(out).exists()  # nobody left out now: the old list goes


@pytest.mark.parametrize("target", sorted(platforms.targets()))
def test_text_from_a_roster_is_never_a_spreadsheet_formula(target, tmp_path):
    platform = platforms.targets()[target]
    person = Person("-1", "+Zoë Ærø", platform.name, "77", "@mail", "=1+1", "-login", "\tX")
    out = tmp_path / "x.csv"
    platform.write(target, [Line(person, "9.5")], out, Export("Lab", 10))
    for row in read_csv_bom(out)[1:]:
        for cell in row:
            assert cell == "-" or cell[:1] not in ("=", "+", "-", "@", "\t"), (target, cell)
    text = out.read_text(encoding="utf-8-sig")
    assert ("Zoë" in text and "Ærø" in text) or target == "brightspace"  # no names there


@pytest.mark.parametrize(
    "value, text", [(7.456, "7.46"), (10.0, "10"), (0.0, "0"), (1234567.891, "1234567.89")]
)
def test_grades_have_at_most_two_decimals(value, text):
    assert command.fmt(value) == text


def test_what_cannot_be_exported_says_why_and_exits_2(course, tmp_path, capsys):
    argv = ["export", "lab9_nothing", "--to", "canvas", "--course", str(course)]
    assert command.main_for_tests(argv) == 2
    assert "no lab 'lab9_nothing'" in capsys.readouterr().err
    roster = "Student,ID,SIS User ID,SIS Login ID,Section\n"
    assert (
        export(
            course,
            LAB,
            "--to",
            "canvas",
            "--roster-id",
            "Matrikel",
            roster=roster,
            at=tmp_path / "r.csv",
        )
        == 2
    )
    assert "--roster-id 'Matrikel'" in capsys.readouterr().err
    assert export(course, LAB, "--to", "moodle", roster=roster, at=tmp_path / "r.csv") == 2
    assert "is Canvas's, but --to moodle" in capsys.readouterr().err
    assert export(course, LAB, "--to", "moodle", "--upload", at=tmp_path) == 2
    assert "--upload posts to Canvas only" in capsys.readouterr().err


def test_an_lms_id_goes_only_to_its_own_platform(tmp_path):
    """`grade` keeps a Moodle participant id as moodle:<id> in the gradebook: never a Canvas
    ID or a Blackboard username. An id without a platform is Canvas's, as nbgrader keeps it."""
    course = gradebook_course(
        tmp_path / "course",
        LAB,
        {
            "ann": ("Ann", "Lee", "", "moodle:222", (6, 4), 0, False),
            "bo": ("Bo", "Chen", "", "1002", (6, 4), 0, False),
        },
    )
    graded, _ = command.read_gradebook(f"sqlite:///{course / 'gradebook.db'}", LAB)
    people = {p.student_id: (p.platform, p.user_id) for p, _ in graded}
    assert people == {"ann": ("moodle", "222"), "bo": ("canvas", "1002")}
    out = tmp_path / "c.csv"
    assert export(course, LAB, "--to", "canvas", "--out", str(out), at=tmp_path) == 0
    assert [r[1] for r in read_csv_bom(out)[2:]] == ["1002"]  # Ann: no Canvas id
    assert export(course, LAB, "--to", "blackboard", "--out", str(out), at=tmp_path) == 0
    assert read_csv_bom(out)[1:] == []  # no Blackboard username for either
