"""Whom a file counts for, across platforms: one id is one student, two platform users are
never one, and a name the platforms do not explain is no one."""

from __future__ import annotations

from scratch import LAB, download, intake_rows

from autograder.platforms import Roster

CANVAS_ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section\n"
    '"Smith, John",1001,555,jsmith,A\n'
    '"Doe, Jane",1002,,jdoe,A\n'
)


def roster(tmp_path, text=CANVAS_ROSTER, **kwargs):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return Roster.read(path, **kwargs)


def test_the_same_id_from_two_platforms_without_a_roster_is_no_ones(tmp_path):
    found = intake_rows(
        download(tmp_path / "s", [f"smithjohn_12345_1_{LAB}.ipynb", f"12345/{LAB}.ipynb"])
    )
    for sub in found.values():
        assert sub.student_id == "" and not sub.counted and sub.stopped.status == "error"
        assert "two platform users never share a grade" in sub.stopped.reason
    canvas = found[f"smithjohn_12345_1_{LAB}.ipynb"]
    assert f"12345/{LAB}.ipynb" in canvas.stopped.reason  # names the other file


def test_one_roster_person_through_two_platforms_is_one_student_with_two_files(tmp_path):
    found = intake_rows(
        download(tmp_path / "s", [f"smithjohn_1001_1_{LAB}.ipynb", f"jsmith/{LAB}/{LAB}.ipynb"]),
        roster=roster(tmp_path),
    )
    counted = [s for s in found.values() if s.counted]
    assert [s.student_id for s in counted] == ["jsmith"]
    assert "check which one counts" in counted[0].flags[0]
    assert sum(s.student_id == "jsmith" for s in found.values()) == 2


def test_a_platform_id_the_roster_lacks_never_takes_a_roster_persons_id(tmp_path):
    """Moodle participant 555 is not in the Canvas roster, so its id would be 555: the id
    the roster gives John Smith (SIS User ID), who handed in through Canvas."""
    found = intake_rows(
        download(
            tmp_path / "s",
            [f"smithjohn_1001_1_{LAB}.ipynb", f"Kim Park_555_assignsubmission_file/{LAB}.ipynb"],
        ),
        roster=roster(tmp_path, id_column="SIS User ID"),
    )
    john = found[f"smithjohn_1001_1_{LAB}.ipynb"]
    assert john.student_id == "555" and john.counted
    kim = found[f"Kim Park_555_assignsubmission_file/{LAB}.ipynb"]
    assert (
        kim.student_id == "" and not kim.counted and "would be student '555'" in kim.stopped.reason
    )


def test_a_name_in_another_platforms_roster_counts_only_when_no_one_else_is_that_person(tmp_path):
    subs = download(
        tmp_path / "s",
        [
            f"Jane Doe_777_assignsubmission_file/{LAB}.ipynb",
            f"Ann Lee_778_assignsubmission_file/{LAB}.ipynb",
        ],
    )
    found = intake_rows(subs, roster=roster(tmp_path))
    jane = found[f"Jane Doe_777_assignsubmission_file/{LAB}.ipynb"]
    assert jane.student_id == "jdoe" and jane.counted and any("by name" in n for n in jane.notes)
    ann = found[f"Ann Lee_778_assignsubmission_file/{LAB}.ipynb"]
    assert ann.student_id == "778" and any("not in the roster" in n for n in ann.notes)
    # Jane's Canvas file arrives too: the roster says who she is by id; the name is not enough
    (subs / f"doejane_1002_3_{LAB}.ipynb").write_bytes(b"{}")
    found = intake_rows(subs, roster=roster(tmp_path))
    assert found[f"doejane_1002_3_{LAB}.ipynb"].student_id == "jdoe"
    moodle = found[f"Jane Doe_777_assignsubmission_file/{LAB}.ipynb"]
    assert moodle.student_id == "" and not moodle.counted and "and so does" in moodle.stopped.reason


def test_a_roster_name_shared_by_two_people_is_no_one(tmp_path):
    text = CANVAS_ROSTER + '"Doe, Jane",1003,,jdoe2,B\n'
    found = intake_rows(
        download(tmp_path / "s", [f"Jane Doe_777_assignsubmission_file/{LAB}.ipynb"]),
        roster=roster(tmp_path, text),
    )
    (jane,) = found.values()
    assert jane.student_id == "" and "2 people of that name" in jane.stopped.reason
    assert "Jane Doe (jdoe)" in jane.stopped.reason and "Jane Doe (jdoe2)" in jane.stopped.reason


def test_a_roster_id_that_cannot_be_a_student_id_is_said(tmp_path):
    text = 'Student,ID,SIS User ID,SIS Login ID,Section\n"Smith, John",1001,,j/smith,A\n'
    found = intake_rows(
        download(tmp_path / "s", [f"smithjohn_1001_1_{LAB}.ipynb"]), roster=roster(tmp_path, text)
    )
    (john,) = found.values()
    assert john.student_id == "" and "cannot be a student id" in john.stopped.reason
