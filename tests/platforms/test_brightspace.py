"""Brightspace: an assignment's Download (folders or flat files, dated in the site's language),
the Grades export as a roster, and the Grades import."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import importers
import pytest
from scratch import LAB, download, export, gradebook_course, intake_rows, read_csv_bom

from autograder.platforms import Roster
from autograder.platforms.brightspace import wall_time

# Grades > Export, Key field "Both", with user details: '#' before ids and at each line's end.
GRADES_EXPORT = (
    "OrgDefinedId,Username,Last Name,First Name,Email,"
    "Lab 2 Points Grade <Numeric MaxPoints:10 Weight:10 Category:Labs CategoryWeight:50>,"
    "End-of-Line Indicator\n"
    "#20067930,#msmith,Smith,Mary-Ann,msmith@u.edu,,#\n"
    "#20067931,#jgonzalez,Gonzalez Franco,Jaime Alberto,jgonzalez@u.edu,,#\n"
    "#00067932,#kpark,Park,Kim,kpark@u.edu,,#\n"
)


def roster(tmp_path) -> Roster:
    path = tmp_path / "Data Structures_GradesExport_2026-12-02-08-00.csv"
    path.write_text(GRADES_EXPORT)
    return Roster.read(path)


def downloaded(tmp_path):
    return download(
        tmp_path / "Lab 2 Download Dec 2, 2026 800 AM",
        {
            "index.html": b"<html><table><tr><td>Comments:</td></tr></table></html>",
            f"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM/{LAB}.ipynb": b"{}",
            f"397063-2557369 - Mary-Ann Smith - Sep 25, 2024 1005 AM/{LAB}.ipynb": b"{}",
            "575706-2557369 - Jaime Alberto Gonzalez Franco - Oct 21, 2024 1050 PM/my lab.ipynb": (
                b"{}"
            ),
            f"575707-2557369 - Team 3 - Kim Park - Oct 21, 2024 1100 PM/{LAB}.ipynb": b"{}",
            f"412345-2557369 - Bo Chen- Sep 24, 2024 926 PM - {LAB}.ipynb": b"{}",  # flat
        },
    )


def test_dates_in_the_sites_language_without_a_colon(tmp_path):
    assert wall_time("Sep 24, 2024 926 PM") == datetime.datetime(2024, 9, 24, 21, 26)
    assert wall_time("Oct 21, 2025 1050 PM") == datetime.datetime(2025, 10, 21, 22, 50)
    assert wall_time("Mar 4, 2026 1227 PM") == datetime.datetime(2026, 3, 4, 12, 27)
    assert wall_time("Dec 7, 2026 1205 AM") == datetime.datetime(2026, 12, 7, 0, 5)
    assert wall_time("7 December, 2020 1005 AM") == datetime.datetime(2020, 12, 7, 10, 5)
    assert wall_time("Sep 24, 2024 9:26 PM") == datetime.datetime(2024, 9, 24, 21, 26)
    assert wall_time("Sep 31, 2024 926 PM") is None and wall_time("yesterday") is None


def test_the_latest_submission_counts_and_a_name_is_matched_only_when_unique(tmp_path):
    found = intake_rows(
        downloaded(tmp_path),
        roster=roster(tmp_path),
        options={"timezone": ZoneInfo("America/Chicago")},
    )
    latest = found[f"397063-2557369 - Mary-Ann Smith - Sep 25, 2024 1005 AM/{LAB}.ipynb"]
    assert (latest.student_id, latest.name, latest.counted) == ("20067930", "Mary-Ann Smith", True)
    assert latest.time == datetime.datetime(2024, 9, 25, 15, 5, tzinfo=datetime.UTC)  # CDT
    earlier = found[f"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM/{LAB}.ipynb"]
    assert not earlier.counted and "the submission of Sep 24, 2024 926 PM" in earlier.stopped.reason
    jaime = found[
        "575706-2557369 - Jaime Alberto Gonzalez Franco - Oct 21, 2024 1050 PM/my lab.ipynb"
    ]
    assert jaime.student_id == "20067931" and jaime.counted
    kim = found[f"575707-2557369 - Team 3 - Kim Park - Oct 21, 2024 1100 PM/{LAB}.ipynb"]
    assert kim.student_id == "00067932" and any("Team 3" in n for n in kim.notes)
    bo = found[f"412345-2557369 - Bo Chen- Sep 24, 2024 926 PM - {LAB}.ipynb"]
    assert bo.student_id == "412345" and any("not in the roster" in n for n in bo.notes)
    index = found["index.html"]
    assert index.student_id == "" and "Brightspace's own list" in index.stopped.reason


def test_two_students_of_one_name_are_never_one(tmp_path):
    subs = download(
        tmp_path / "s",
        [
            f"397063-2557369 - Mary-Ann Smith - Sep 24, 2024 926 PM/{LAB}.ipynb",
            f"398000-2557369 - Mary-Ann Smith - Sep 24, 2024 930 PM/{LAB}.ipynb",
        ],
    )
    found = intake_rows(subs, roster=roster(tmp_path), options={"timezone": ZoneInfo("UTC")})
    for sub in found.values():
        assert sub.student_id == "" and not sub.counted
        assert "a name never makes" in sub.stopped.reason


def test_a_date_without_a_zone_is_never_on_time(tmp_path):
    found = intake_rows(downloaded(tmp_path), roster=roster(tmp_path))
    latest = found[f"397063-2557369 - Mary-Ann Smith - Sep 25, 2024 1005 AM/{LAB}.ipynb"]
    assert (
        latest.counted
        and latest.stopped.status == "error"
        and "--timezone" in latest.stopped.reason
    )


def test_the_grades_export_as_a_roster_without_its_hashes(tmp_path):
    people = roster(tmp_path).people
    assert [(p.student_id, p.login, p.sis_id, p.name) for p in people] == [
        ("20067930", "msmith", "20067930", "Mary-Ann Smith"),
        ("20067931", "jgonzalez", "20067931", "Jaime Alberto Gonzalez Franco"),
        ("00067932", "kpark", "00067932", "Kim Park"),  # the '#' kept the leading zeros
    ]


STUDENTS = {
    "20067930": ("Mary-Ann", "Smith", "", "", (6, 4), 0, False),
    "00067932": ("Kim", "Park", "", "", (2, 0), 0, False),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return gradebook_course(tmp_path_factory.mktemp("brightspace"), LAB, STUDENTS)


def test_the_import_holds_graded_people_only(course, tmp_path, capsys):
    out = tmp_path / "brightspace.csv"
    args = ["--to", "brightspace", "--out", str(out), "--column", "Lab 2"]
    assert export(course, LAB, *args, roster=GRADES_EXPORT, at=tmp_path / "r.csv") == 0
    rows = read_csv_bom(out)
    assert rows == [
        ["OrgDefinedId", "Username", "Lab 2 Points Grade", "End-of-Line Indicator"],
        ["#20067930", "#msmith", "10", "#"],
        ["#00067932", "#kpark", "2", "#"],
    ]
    assert "no grade in the gradebook" in capsys.readouterr().out  # Jaime: left out
    held = {"20067931": "8", "20067930": "1"}
    after = importers.brightspace(held, out.read_text(encoding="utf-8-sig"))
    assert after == {"20067931": "8", "20067930": "10", "00067932": "2"}


def test_a_file_named_like_a_blackboard_attempt_stays_brightspaces(tmp_path):
    """A late student names her file like a Blackboard attempt of an earlier date, with a
    receipt of her own: Brightspace's naming starts the name, and its date counts."""
    prefix = "397063-2557369 - Mary-Ann Smith- Sep 30, 2024 926 PM - "
    files = {
        prefix + "y_msmith_attempt_2024-09-01-00-00-00.txt": b"Name: Mary-Ann Smith (msmith)\n",
        prefix + f"y_msmith_attempt_2024-09-01-00-00-00_{LAB}.ipynb": b"{}",
    }
    found = intake_rows(
        download(tmp_path / "s", files), options={"timezone": ZoneInfo("America/Chicago")}
    )
    notebook = found[prefix + f"y_msmith_attempt_2024-09-01-00-00-00_{LAB}.ipynb"]
    assert notebook.person.platform == "brightspace" and notebook.student_id == "397063"
    assert notebook.time == datetime.datetime(2024, 10, 1, 2, 26, tzinfo=datetime.UTC)


def test_a_zip_of_one_submission_keeps_its_name(tmp_path):
    import zipfile

    archive = tmp_path / "Lab 2 Download Dec 2, 2026 800 AM.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("11-2 - Kim Park - Sep 24, 2024 926 PM/my work.ipynb", b"{}")
    (kim,) = intake_rows(archive, options={"timezone": ZoneInfo("UTC")}).values()
    assert kim.student_id == "11" and kim.time is not None
