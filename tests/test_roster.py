"""Rosters as Canvas and Moodle export them: who is who, by LMS id, course id and name."""

from __future__ import annotations

import pytest

from autograder.roster import Person, Roster, RosterError

# Canvas, Grades > Export: the Points Possible row (indented), a Manual Posting row, the
# test student, and an assignment column named "Title (id)".
CANVAS = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1 (4411),Current Score\n"
    "    Points Possible,,,,,10,(read only)\n"
    ",,,,,Manual Posting,\n"
    '"Smith, John",1001,S-1,jsmith,Section A,7,70\n'
    '"Núñez, José",1002,S-2,,Section A,8,80\n'
    '"Doe, Jane",1003,,,Section B,,\n'
    '"Student, Test",9999,,,Section A,,\n'
    '"Smith, Johanna",1004,S-4, jsmith2 ,Section B,9,90\n'
)

# Moodle, Grades > Export > Plain text file (comma, UTF-8 with a byte-order mark).
MOODLE_EXPORT = (
    "\ufeffFirst name,Last name,ID number,Institution,Department,Email address,"
    "Assignment: Lab 2 (Real),Last downloaded from this course\n"
    "Łukasz,Żółć,20231234,Uni,CS,lukasz@example.edu,5.00,1700000000\n"
    "Ann,Lee,,Uni,CS,ann@example.edu,-,1700000000\n"
)

# Moodle, an assignment's Download grading worksheet.
MOODLE_WORKSHEET = (
    "Identifier,Full name,Email address,Status,Grade,Maximum grade,Grade can be changed,"
    "Last modified (submission),Last modified (grade),Feedback comments\n"
    "Participant 123456,Ann Lee,ann@example.edu,Submitted for grading,,10.00,Yes,"
    '"Monday, 2 October 2023, 10:00 AM",-,\n'
    "Participant 123457,Bo Chen,bo@example.edu,No submission,,10.00,Yes,-,-,\n"
)


def write(tmp_path, text: str, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_canvas_skips_points_possible_manual_posting_and_the_test_student(tmp_path):
    roster = Roster.read(write(tmp_path, CANVAS))
    assert roster.platform == "canvas"
    assert [p.name for p in roster.people] == [
        "John Smith",
        "José Núñez",
        "Jane Doe",
        "Johanna Smith",
    ]


def test_canvas_ids_default_to_login_then_sis_id_then_canvas_id(tmp_path):
    roster = Roster.read(write(tmp_path, CANVAS))
    ids = {p.name: p.student_id for p in roster.people}
    assert ids == {
        "John Smith": "jsmith",
        "José Núñez": "S-2",
        "Jane Doe": "1003",
        "Johanna Smith": "jsmith2",  # stripped of the spaces around it
    }
    assert roster.by_lms_id("1001") == Person(
        "jsmith", "John Smith", lms_id="1001", sis_id="S-1", login="jsmith", section="Section A"
    )
    assert roster.by_student_id("S-2").lms_id == "1002"
    assert roster.by_lms_id("9999") is None  # the test student
    assert roster.by_student_id("nobody") is None


def test_canvas_roster_with_an_id_column(tmp_path):
    roster = Roster.read(write(tmp_path, CANVAS), id_column="SIS User ID")
    assert [p.student_id for p in roster.people] == ["S-1", "S-2", "", "S-4"]
    assert roster.by_student_id("S-4").name == "Johanna Smith"
    assert roster.by_student_id("") is None


def test_an_unknown_id_column_says_which_columns_there_are(tmp_path):
    with pytest.raises(RosterError, match=r"--roster-id 'Student Number'.*'SIS Login ID'"):
        Roster.read(write(tmp_path, CANVAS), id_column="Student Number")


def test_by_name_ignores_case_accents_punctuation_spaces_and_word_order(tmp_path):
    roster = Roster.read(write(tmp_path, CANVAS))
    assert roster.by_name("smithjohn").lms_id == "1001"  # a Canvas download's file name
    assert roster.by_name("John SMITH").lms_id == "1001"
    assert roster.by_name("jose nunez").lms_id == "1002"
    assert roster.by_name("nunezjose").lms_id == "1002"
    assert roster.by_name("Doe,  Jane.").lms_id == "1003"
    assert roster.by_name("john") is None  # a part of a name is not the name
    assert roster.by_name("Jane Smith") is None
    assert roster.by_name("") is None


def test_by_name_is_none_when_two_people_share_the_name(tmp_path):
    text = CANVAS + '"Smith, John",1005,,jsmith3,Section B,,\n'
    roster = Roster.read(write(tmp_path, text))
    assert roster.by_name("smithjohn") is None
    assert roster.by_lms_id("1005").student_id == "jsmith3"


def test_moodle_grade_export_with_a_byte_order_mark(tmp_path):
    roster = Roster.read(write(tmp_path, MOODLE_EXPORT))
    assert roster.platform == "moodle"
    lukasz, ann = roster.people
    assert lukasz == Person(
        "20231234", "Łukasz Żółć", email="lukasz@example.edu", sis_id="20231234"
    )
    assert ann.student_id == "ann@example.edu"  # no ID number: the email address
    assert roster.by_name("zolc lukasz") is lukasz
    assert roster.by_student_id("20231234") is lukasz


def test_moodle_grading_worksheet_gives_participant_ids(tmp_path):
    roster = Roster.read(write(tmp_path, MOODLE_WORKSHEET))
    assert roster.platform == "moodle"
    assert [(p.lms_id, p.student_id, p.name) for p in roster.people] == [
        ("123456", "ann@example.edu", "Ann Lee"),
        ("123457", "bo@example.edu", "Bo Chen"),
    ]
    assert roster.by_lms_id("123457").email == "bo@example.edu"


def test_moodle_worksheet_without_emails_uses_the_participant_id(tmp_path):
    text = "Identifier,Full name,Status,Grade\nParticipant 77,Ann Lee,Submitted,\n"
    roster = Roster.read(write(tmp_path, text))
    assert roster.people == [Person("77", "Ann Lee", lms_id="77")]


def test_semicolon_delimited_export_is_detected(tmp_path):
    text = MOODLE_EXPORT.replace(",", ";")
    roster = Roster.read(write(tmp_path, text))
    assert [p.student_id for p in roster.people] == ["20231234", "ann@example.edu"]


def test_unicode_ids_are_kept_as_written(tmp_path):
    text = 'Student,ID,SIS User ID,SIS Login ID,Section\n"Żółć, Łukasz",1,,  łukasz.ż ,A\n'
    roster = Roster.read(write(tmp_path, text))
    assert roster.people[0].student_id == "łukasz.ż"
    assert roster.by_student_id("łukasz.ż").name == "Łukasz Żółć"


def test_duplicate_ids_ask_for_another_column(tmp_path):
    text = 'Student,ID,SIS User ID,SIS Login ID,Section\n"A, B",1,,same,X\n"C, D",2,,same,X\n'
    with pytest.raises(RosterError, match="same id 'same'.*--roster-id"):
        Roster.read(write(tmp_path, text))
    assert len(Roster.read(write(tmp_path, text), id_column="ID").people) == 2


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,score\nann,3\n", "not a roster this tool reads"),
        ("", "empty"),
    ],
)
def test_unreadable_rosters_say_what_to_give(tmp_path, text, message):
    with pytest.raises(RosterError, match=message):
        Roster.read(write(tmp_path, text))


def test_a_latin1_roster_asks_for_utf8(tmp_path):
    with pytest.raises(RosterError, match="not UTF-8"):
        Roster.read(write(tmp_path, CANVAS, encoding="latin-1"))


def test_a_missing_file_is_a_roster_error(tmp_path):
    with pytest.raises(RosterError, match="cannot read"):
        Roster.read(tmp_path / "nope.csv")
