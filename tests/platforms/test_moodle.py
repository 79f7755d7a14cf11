"""Moodle: "Download all submissions" as mod/assign's downloader names its entries, the
gradebook's export and the grading worksheet as rosters, and both imports, checked with the
rules of Moodle's own importers."""

from __future__ import annotations

import importers
import pytest
from scratch import LAB, download, export, gradebook_course, intake_rows, read_csv_bom

from autograder import platforms
from autograder.platforms import Roster
from autograder.platforms.base import Export, Line, Person

# Grades > Export > Plain text file (grade/export/txt), UTF-8 with a byte-order mark.
GRADE_EXPORT = (
    "\ufeffFirst name,Last name,ID number,Institution,Department,Email address,"
    "Assignment: Lab 2 (Real),Last downloaded from this course\n"
    "Łukasz,Żółć,20231234,Uni,CS,lukasz@example.edu,5.00,1700000000\n"
    "Ann,Lee,,Uni,CS,ann@example.edu,-,1700000000\n"
    "Jane,Doe,20230002,Uni,CS,jane@example.edu,-,1700000000\n"
)

# An assignment's grading worksheet (mod/assign/gradingtable.php, downloading).
WORKSHEET = (
    "Identifier,Full name,Email address,Status,Grade,Maximum grade,Grade can be changed,"
    "Last modified (submission),Last modified (grade),Feedback comments\n"
    "Participant 123456,Ann Lee,ann@example.edu,Submitted for grading,,10.00,Yes,"
    '"Monday, 2 October 2023, 10:00 AM",-,\n'
    "Participant 123457,Bo Chen,bo@example.edu,No submission,,10.00,Yes,-,-,\n"
    "Participant 123458,Jane Doe,jane@example.edu,Submitted for grading,,10.00,Yes,-,-,\n"
)


def roster(tmp_path, text, **kwargs) -> Roster:
    path = tmp_path / "moodle-roster.csv"
    path.write_bytes(text.encode())
    return Roster.read(path, **kwargs)


def test_folders_old_and_new_flat_names_blind_marking_and_online_text(tmp_path):
    found = intake_rows(
        download(
            tmp_path / "s",
            [
                f"John Smith_123456_assignsubmission_file_/{LAB}.ipynb",  # before Moodle 4.1
                "John Smith_123456_assignsubmission_file_/notes.txt",
                f"Mary Jane_234567_assignsubmission_file/{LAB}.ipynb",  # 4.1 and later
                "Mary Jane_234567_assignsubmission_file/src/scratch.ipynb",  # a subfolder kept
                f"José Núñez_345678_assignsubmission_file_{LAB}.ipynb",  # without folders
                f"Participant_456789_assignsubmission_file/{LAB}.ipynb",  # blind marking
                "Kim Park_567890_assignsubmission_onlinetext/onlinetext.html",
                f"Default group_assignsubmission_file/{LAB}.ipynb",  # a team, no member named
            ],
        )
    )
    john = found[f"John Smith_123456_assignsubmission_file_/{LAB}.ipynb"]
    assert (john.student_id, john.name, john.counted) == ("123456", "John Smith", True)
    assert found["John Smith_123456_assignsubmission_file_/notes.txt"].stopped.status == "error"
    mary = found[f"Mary Jane_234567_assignsubmission_file/{LAB}.ipynb"]
    assert mary.student_id == "234567" and mary.counted
    deeper = found["Mary Jane_234567_assignsubmission_file/src/scratch.ipynb"]
    assert not deeper.counted and "check which one counts" in mary.flags[0]
    flat = found[f"José Núñez_345678_assignsubmission_file_{LAB}.ipynb"]
    assert (flat.student_id, flat.name, flat.counted) == ("345678", "José Núñez", True)
    blind = found[f"Participant_456789_assignsubmission_file/{LAB}.ipynb"]
    assert blind.student_id == "456789" and blind.name == "" and blind.counted
    text = found["Kim Park_567890_assignsubmission_onlinetext/onlinetext.html"]
    assert text.student_id == "567890" and text.counted and "not a notebook" in text.stopped.reason
    team = found[f"Default group_assignsubmission_file/{LAB}.ipynb"]
    assert team.student_id == "" and not team.counted and "team" in team.stopped.reason


def test_a_participant_renamed_as_a_classmate_takes_no_ones_grade(tmp_path):
    """Moodle shows a participant's name as they set it. With a roster of names only (the
    gradebook's export), two participants of one name are both refused; with the worksheet's
    participant ids each is who Moodle says."""
    subs = download(
        tmp_path / "s",
        [
            f"Jane Doe_111111_assignsubmission_file/{LAB}.ipynb",  # the real Jane Doe
            f"Jane Doe_222222_assignsubmission_file/{LAB}.ipynb",  # Ann Lee, renamed
            f"Ann Lee_333333_assignsubmission_file/{LAB}.ipynb",
        ],
    )
    by_names = intake_rows(subs, roster=roster(tmp_path, GRADE_EXPORT))
    real = by_names[f"Jane Doe_111111_assignsubmission_file/{LAB}.ipynb"]
    fake = by_names[f"Jane Doe_222222_assignsubmission_file/{LAB}.ipynb"]
    for sub in (real, fake):
        assert sub.student_id == "" and not sub.counted and sub.stopped.status == "error"
        assert "Jane Doe (20230002)" in sub.stopped.reason
        assert "a name never makes" in sub.stopped.reason
    assert by_names[f"Ann Lee_333333_assignsubmission_file/{LAB}.ipynb"].student_id == (
        "ann@example.edu"
    )  # a unique name, no other participant of it: Ann Lee of the roster
    worksheet = WORKSHEET.replace("123458", "111111").replace("123456", "333333")
    by_ids = intake_rows(subs, roster=roster(tmp_path, worksheet))
    assert by_ids[f"Jane Doe_111111_assignsubmission_file/{LAB}.ipynb"].student_id == (
        "jane@example.edu"
    )
    fake = by_ids[f"Jane Doe_222222_assignsubmission_file/{LAB}.ipynb"]
    assert fake.student_id == "" and "the Moodle id 111111" in fake.stopped.reason


def test_the_grade_export_and_the_worksheet_as_rosters(tmp_path):
    export_roster = roster(tmp_path, GRADE_EXPORT)
    assert export_roster.platform == "moodle"
    lukasz, ann, jane = export_roster.people
    assert (lukasz.student_id, lukasz.name, lukasz.sis_id) == (
        "20231234",
        "Łukasz Żółć",
        "20231234",
    )
    assert ann.student_id == "ann@example.edu"  # no ID number: the email address
    assert [p.student_id for p in export_roster.by_name("zolc lukasz")] == ["20231234"]
    sheet = roster(tmp_path, WORKSHEET)
    assert [(p.user_id, p.student_id, p.name) for p in sheet.people] == [
        ("123456", "ann@example.edu", "Ann Lee"),
        ("123457", "bo@example.edu", "Bo Chen"),
        ("123458", "jane@example.edu", "Jane Doe"),
    ]
    assert sheet.people[0].get("Last modified (grade)") == "-"
    bare = roster(tmp_path, "Identifier,Full name,Status,Grade\nParticipant 77,Ann Lee,x,\n")
    assert [(p.student_id, p.user_id) for p in bare.people] == [("77", "77")]
    semicolons = roster(tmp_path, GRADE_EXPORT.replace(",", ";"))
    assert [p.student_id for p in semicolons.people][:2] == ["20231234", "ann@example.edu"]


STUDENTS = {  # student id: (first, last, email, participant id, points, penalty, manual)
    "ann@example.edu": ("Ann", "Lee", "ann@example.edu", "123456", (6, 1.5), 0, False),
    "jane@example.edu": ("Jane", "Doe", "jane@example.edu", "123458", (6, 4), 2, False),
    "ghost": ("Gina", "Host", "gina@example.edu", "999", (5, 0), 0, False),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return gradebook_course(tmp_path_factory.mktemp("moodle"), LAB, STUDENTS)


def test_the_gradebook_import_never_clears_a_grade(course, tmp_path, capsys):
    out = tmp_path / "moodle.csv"
    sheet = WORKSHEET
    assert (
        export(
            course, LAB, "--to", "moodle", "--out", str(out), roster=sheet, at=tmp_path / "r.csv"
        )
        == 0
    )
    rows = read_csv_bom(out)
    assert rows == [
        ["Full name", "ID number", "Username", "Email address", LAB],
        ["Ann Lee", "", "", "ann@example.edu", "7.5"],
        ["Jane Doe", "", "", "jane@example.edu", "8"],
    ]
    said = capsys.readouterr().out
    assert "map from 'Email address' to 'Email address'" in said
    assert "no grade in the gradebook" in said and "Bo Chen" in said
    people = [{"key": e} for e in ("ann@example.edu", "bo@example.edu", "jane@example.edu")]
    held = {"bo@example.edu": "6", "ann@example.edu": "1"}
    text = out.read_text(encoding="utf-8-sig")
    after = importers.moodle_gradebook(held, text, "Email address", people)
    assert after == {"bo@example.edu": "6", "ann@example.edu": "7.5", "jane@example.edu": "8"}
    # the rules the file avoids: an empty cell clears Bo's 6, a row of no one aborts it all
    assert (
        importers.moodle_gradebook(
            held, text + "Bo Chen,,,bo@example.edu,\r\n", "Email address", people
        )["bo@example.edu"]
        == ""
    )
    with pytest.raises(importers.ImportAborted):
        importers.moodle_gradebook(
            held, text + "Gina Host,,,gina@example.edu,5\r\n", "Email address", people
        )


def test_the_worksheet_upload_leaves_grades_given_in_moodle(course, tmp_path, capsys):
    out = tmp_path / "worksheet.csv"
    args = ["--to", "moodle-worksheet", "--out", str(out)]
    assert export(course, LAB, *args, roster=WORKSHEET, at=tmp_path / "r.csv") == 0
    rows = read_csv_bom(out)
    assert rows[0] == [
        "Identifier",
        "Full name",
        "Email address",
        "Grade",
        "Maximum grade",
        "Last modified (grade)",
    ]
    assert rows[1:] == [
        ["Participant 123456", "Ann Lee", "ann@example.edu", "7.5", "10", "-"],
        ["Participant 123458", "Jane Doe", "jane@example.edu", "8", "10", "-"],
    ]
    said = capsys.readouterr().out
    assert "Upload grading worksheet" in said and "Allow updating records" in said
    held = {"123457": ("6", 100.0), "123456": ("2", 100.0)}  # given in Moodle by hand
    after = importers.moodle_worksheet(
        held, out.read_text(encoding="utf-8-sig"), ignoremodified=True
    )
    assert after["123457"] == ("6", 100.0)  # Bo: not in the file, kept
    assert after["123456"][0] == "7.5" and after["123458"][0] == "8.0"
    # the rule the file avoids: '-' in Grade is read as 0
    dashed = (
        out.read_text(encoding="utf-8-sig") + "Participant 123457,Bo Chen,bo@example.edu,-,10,-\r\n"
    )
    assert importers.moodle_worksheet(held, dashed, ignoremodified=True)["123457"][0] == "0.0"


def test_the_worksheet_leaves_out_whoever_has_no_participant_id(tmp_path):
    moodle = platforms.get("moodle")
    lines = [
        Line(Person("ann", "Ann Lee", "moodle", "123456"), "7"),
        Line(Person("bo", "Bo Chen", "moodle", ""), "9"),  # from a roster with no ids
        Line(Person("cy", "Cy Ito", "canvas", "777"), "5"),  # a Canvas id is no Moodle one
    ]
    out = tmp_path / "w.csv"
    written = moodle.write("moodle-worksheet", lines, out, Export("Lab 2", 10))
    assert [ln.person.student_id for ln in written.lines] == ["ann"]
    assert [(ln.person.student_id, why.split(":")[0]) for ln, why in written.left_out] == [
        ("bo", "no Moodle participant id"),
        ("cy", "no Moodle participant id"),
    ]
    assert [r[0] for r in read_csv_bom(out)[1:]] == ["Participant 123456"]


def test_a_file_named_like_another_participants_download_stays_its_owners(tmp_path):
    """Participant 111 hands in x_222_assignsubmission_file_lab2_optimizers.ipynb: Moodle turns
    '_' in names into spaces, so the first '_<number>_assignsubmission_' is Moodle's."""
    name = f"Mallory Evil_111_assignsubmission_file_x_222_assignsubmission_file_{LAB}.ipynb"
    found = intake_rows(
        download(tmp_path / "s", [name, f"Victor Victim_222_assignsubmission_file_{LAB}.ipynb"])
    )
    assert found[name].student_id == "111" and found[name].counted
    victor = found[f"Victor Victim_222_assignsubmission_file_{LAB}.ipynb"]
    assert victor.student_id == "222" and victor.counted and not victor.flags
    canvas_like = f"Mallory Evil_111_assignsubmission_file_222_5_{LAB}.ipynb"  # Canvas's shape
    (found,) = intake_rows(download(tmp_path / "t", [canvas_like])).values()
    assert found.person.platform == "moodle" and found.student_id == "111"


def test_a_zip_of_one_participant_keeps_its_name(tmp_path):
    archive = tmp_path / "Lab2-selected.zip"
    import zipfile

    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Kim Park_567890_assignsubmission_file/Lab2 final.ipynb", b"{}")
    (kim,) = intake_rows(archive).values()
    assert kim.student_id == "567890" and kim.person.platform == "moodle"
