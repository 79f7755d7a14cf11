"""Rosters, whatever the platform: reading the file as the instructor downloads it, and the
course's ids in it. Each platform's own export is tested with its module (tests/platforms/)."""

from __future__ import annotations

import pytest

from autograder.platforms import Roster, RosterError

CANVAS = (
    "Student,ID,SIS User ID,SIS Login ID,Section\n"
    '"Smith, John",1001,S-1,jsmith,Section A\n'
    '"Núñez, José",1002,S-2,,Section A\n'
)


def write(tmp_path, text: str, name="roster.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_an_unknown_id_column_says_which_columns_there_are(tmp_path):
    with pytest.raises(RosterError, match=r"--roster-id 'Student Number'.*'SIS Login ID'"):
        Roster.read(write(tmp_path, CANVAS), id_column="Student Number")


def test_semicolons_tabs_and_utf16_are_read(tmp_path):
    for text, encoding in (
        (CANVAS.replace(",", ";").replace('"Smith; John"', '"Smith, John"'), "utf-8"),
        (CANVAS.replace(",", "\t").replace('"Smith\tJohn"', '"Smith, John"'), "utf-16"),
    ):
        roster = Roster.read(write(tmp_path, text, encoding=encoding))
        assert [p.student_id for p in roster.people][:1] == ["jsmith"]


def test_ids_in_any_script_are_kept_and_found_normalised(tmp_path):
    text = 'Student,ID,SIS User ID,SIS Login ID,Section\n"Żółć, Łukasz",1,,  łukasz.ż ,A\n'
    roster = Roster.read(write(tmp_path, text))
    assert roster.people[0].student_id == "łukasz.ż"
    assert roster.by_student_id("łukasz.ż").name == "Łukasz Żółć"
    smith = Roster.read(write(tmp_path, CANVAS))
    assert smith.by_student_id("ｊｓｍｉｔｈ").name == "John Smith"  # full-width: NFKC
    assert roster.by_student_id("") is None and roster.by_student_id("nobody") is None


def test_duplicate_ids_ask_for_another_column(tmp_path):
    text = 'Student,ID,SIS User ID,SIS Login ID,Section\n"A, B",1,,same,X\n"C, D",2,,same,X\n'
    with pytest.raises(RosterError, match="same id \\('same'.*--roster-id"):
        Roster.read(write(tmp_path, text))
    assert len(Roster.read(write(tmp_path, text), id_column="ID").people) == 2


@pytest.mark.parametrize(
    "text, message", [("name,score\nann,3\n", "not a class export this tool reads"), ("", "empty")]
)
def test_unreadable_rosters_say_what_to_give(tmp_path, text, message):
    with pytest.raises(RosterError, match=message):
        Roster.read(write(tmp_path, text))


def test_a_latin1_roster_asks_for_utf8(tmp_path):
    with pytest.raises(RosterError, match="not UTF-8"):
        Roster.read(write(tmp_path, CANVAS.replace("Núñez", "Nuñez"), encoding="latin-1"))


def test_a_missing_file_is_a_roster_error(tmp_path):
    with pytest.raises(RosterError, match="cannot read"):
        Roster.read(tmp_path / "nope.csv")


def test_ids_equal_once_normalised_or_a_platform_id_twice_are_refused(tmp_path):
    spaced = (
        'Student,ID,SIS User ID,SIS Login ID,Section\n"A, B",1,,j smith,X\n"C, D",2,,j_smith,X\n'
    )
    with pytest.raises(RosterError, match="'j smith' and 'j_smith', once normalised"):
        Roster.read(write(tmp_path, spaced))
    twice = 'Student,ID,SIS User ID,SIS Login ID,Section\n"A, B",111,,ab,X\n"C, D",111,,cd,X\n'
    with pytest.raises(RosterError, match="the same Canvas id '111'"):
        Roster.read(write(tmp_path, twice))


def test_a_name_matches_word_for_word_not_letter_for_letter(tmp_path):
    text = (
        'Student,ID,SIS User ID,SIS Login ID,Section\n"Bel, Anna",1,,abel,A\n"Smith, Jo",2,,jo,A\n'
    )
    roster = Roster.read(write(tmp_path, text))
    assert roster.by_name("Ann Abel") == [] and roster.by_name("J O Smith") == []
    assert [p.student_id for p in roster.by_name("Anna  Bel")] == ["abel"]
    assert [p.student_id for p in roster.by_name("belanna")] == ["abel"]  # Canvas's lastfirst
