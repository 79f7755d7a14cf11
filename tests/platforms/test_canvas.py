"""Canvas: "Download Submissions" as lib/content_zipper.rb names its files, the gradebook's export
as a roster, a group set's CSV, and the gradebook import, checked with its own rules."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import importers
import pytest
from scratch import LAB, download, export, gradebook_course, intake_rows, read_csv_bom

from autograder.platforms import Roster, RosterError

# Canvas, Grades > Export (lib/gradebook_exporter.rb): the Points Possible row (four spaces
# before it), a Manual Posting row, the test student, an assignment column "Title (id)".
EXPORT = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1 (4411),Current Score\n"
    "    Points Possible,,,,,10,(read only)\n"
    ",,,,,Manual Posting,\n"
    '"Smith, John",1001,S-1,jsmith,Section A,7,70\n'
    '"Núñez, José",1002,S-2,,Section A,8,80\n'
    '"Doe, Jane",1003,,,Section B,,\n'
    '"Student, Test",9999,,,Section A,,\n'
    '"Smith, Johanna",1004,S-4, jsmith2 ,Section B,9,90\n'
)


def roster(tmp_path, text=EXPORT, **kwargs) -> Roster:
    path = tmp_path / "canvas-roster.csv"
    path.write_bytes(text.encode())
    return Roster.read(path, **kwargs)


# -- who handed it in ---------------------------------------------------------------------


def test_file_names_give_the_user_the_late_mark_and_the_latest_upload(tmp_path):
    found = intake_rows(
        download(
            tmp_path / "submissions",
            [
                f"smithjohn_12345_67890_{LAB}.ipynb",
                f"doejane_LATE_23456_78901_{LAB}-1.ipynb",  # handed in again: renamed -1
                f"doejane_LATE_23456_78900_{LAB}.ipynb",
                "leeann_34567_89012_my work (2).ipynb",
                "brownbob_45678_90123_notes.txt",
                "greenamy_56789_text.html",  # an online text entry
                "müllerjürgen_67890_99999_Lab 2.ipynb",  # Canvas keeps letters of any script
            ],
        )
    )
    smith = found[f"smithjohn_12345_67890_{LAB}.ipynb"]
    assert (smith.student_id, smith.name, smith.counted, smith.marked_late) == (
        "12345",
        "smithjohn",
        True,
        False,
    )
    assert not smith.notes and not smith.flags  # named as the lab: nothing to say
    latest = found[f"doejane_LATE_23456_78901_{LAB}-1.ipynb"]
    assert latest.student_id == "23456" and latest.counted and latest.marked_late
    assert any("marked it LATE without saying when" in f for f in latest.flags)
    assert any("earlier ones not graded" in n for n in latest.notes)
    older = found[f"doejane_LATE_23456_78900_{LAB}.ipynb"]
    assert not older.counted and older.stopped.status == "skipped"
    assert "an earlier upload" in older.stopped.reason and "-1.ipynb" in older.stopped.reason
    renamed = found["leeann_34567_89012_my work (2).ipynb"]
    assert renamed.student_id == "34567" and renamed.counted
    assert any("not named" in n for n in renamed.notes)
    notes = found["brownbob_45678_90123_notes.txt"]  # no notebook: still the student's row
    assert notes.student_id == "45678" and notes.counted and notes.stopped.status == "error"
    text = found["greenamy_56789_text.html"]
    assert text.student_id == "56789" and text.counted and "not a notebook" in text.stopped.reason
    assert found["müllerjürgen_67890_99999_Lab 2.ipynb"].student_id == "67890"


def test_an_anonymous_download_and_names_like_canvas_ones_make_no_student(tmp_path):
    found = intake_rows(
        download(
            tmp_path / "s",
            [
                f"anon_Ab3xZ_7890123_{LAB}.ipynb",  # anonymous grading: no user id
                f"LATE_anon_Cd4yW_7890124_{LAB}.ipynb",
                f"smithjohn_12345_{LAB}.ipynb",  # the attachment id is missing
            ],
        )
    )
    assert all(
        s.student_id == "" and not s.counted and s.stopped.status == "error" for s in found.values()
    )
    anon = found[f"anon_Ab3xZ_7890123_{LAB}.ipynb"]
    assert "anonymous grading" in anon.stopped.reason and "SpeedGrader" in anon.stopped.reason
    odd = found[f"smithjohn_12345_{LAB}.ipynb"]
    assert "looks like a Canvas download" in odd.stopped.reason and "rename" in odd.stopped.reason


def test_the_roster_maps_canvas_users_by_id_never_two_by_one_name(tmp_path):
    found = intake_rows(
        download(
            tmp_path / "s",
            [
                f"smithjohn_1001_1_{LAB}.ipynb",
                f"nunezjose_1002_2_{LAB}.ipynb",
                f"doejane_5555_3_{LAB}.ipynb",  # Jane Doe of the roster is user 1003, not 5555
                f"nobody_8888_4_{LAB}.ipynb",
            ],
        ),
        roster=roster(tmp_path),
    )
    john = found[f"smithjohn_1001_1_{LAB}.ipynb"]
    assert (john.student_id, john.name, john.person.user_id) == ("jsmith", "John Smith", "1001")
    jose = found[f"nunezjose_1002_2_{LAB}.ipynb"]
    assert jose.student_id == "S-2" and jose.name == "José Núñez"  # no login: SIS User ID
    jane = found[f"doejane_5555_3_{LAB}.ipynb"]  # a name never makes two Canvas users one
    assert jane.student_id == "" and not jane.counted and jane.stopped.status == "error"
    assert "the Canvas id 1003" in jane.stopped.reason
    stranger = found[f"nobody_8888_4_{LAB}.ipynb"]
    assert stranger.student_id == "8888" and stranger.counted
    assert any("not in the roster" in n for n in stranger.notes)


def test_a_group_set_gives_every_member_the_groups_file(tmp_path):
    groups = tmp_path / "Project Groups.csv"
    groups.write_text(
        "name,canvas_user_id,user_id,login_id,sections,group_name,canvas_group_id,group_id\n"
        '"Smith, John",1001,S-1,jsmith,Section A,Team Alpha,71,\n'
        '"Núñez, José",1002,S-2,,Section A,Team Alpha,71,\n'
        '"Doe, Jane",1003,,,Section B,Team Beta,72,\n'
        '"Smith, Johanna",1004,S-4,jsmith2,Section B,,,\n'
    )
    subs = download(
        tmp_path / "s", [f"teamalpha_1001_5_{LAB}.ipynb", f"doejane_1003_6_{LAB}.ipynb"]
    )
    found = intake_rows(subs, roster=roster(tmp_path), options={"groups": groups})
    team = found[f"teamalpha_1001_5_{LAB}.ipynb"]
    assert team.student_id == "jsmith" and team.group == "Team Alpha"
    assert [m.student_id for m in team.members] == ["S-2"]  # the roster's id for José
    row = team.row()
    assert [r.student_id for r in row.for_members()] == ["S-2"]
    assert "a member of Team Alpha" in row.for_members()[0].reason
    alone = found[f"doejane_1003_6_{LAB}.ipynb"]
    assert alone.members == () and alone.group == ""  # alone in Team Beta
    without = intake_rows(subs, roster=roster(tmp_path))[f"teamalpha_1001_5_{LAB}.ipynb"]
    assert without.members == ()  # without the group set only the one who handed it in
    groups.write_text("name,score\nx,1\n")
    with pytest.raises(RosterError, match="not Canvas's group set"):
        intake_rows(subs, options={"groups": groups})


# -- the class ----------------------------------------------------------------------------


def test_the_export_skips_points_possible_manual_posting_and_the_test_student(tmp_path):
    people = roster(tmp_path).people
    assert roster(tmp_path).platform == "canvas"
    assert [(p.name, p.student_id, p.user_id) for p in people] == [
        ("John Smith", "jsmith", "1001"),
        ("José Núñez", "S-2", "1002"),  # no login: the SIS User ID
        ("Jane Doe", "1003", "1003"),  # neither: the Canvas id
        ("Johanna Smith", "jsmith2", "1004"),  # stripped of the spaces around it
    ]
    chosen = roster(tmp_path, id_column="SIS User ID")
    assert [p.student_id for p in chosen.people] == ["S-1", "S-2", "", "S-4"]
    assert chosen.by_student_id("S-4").name == "Johanna Smith"


def test_names_match_up_to_case_accents_punctuation_and_order(tmp_path):
    r = roster(tmp_path, EXPORT + '"Smith, John",1005,,jsmith3,Section B,,\n')
    assert [p.user_id for p in r.by_name("nunezjose")] == ["1002"]  # the download's spelling
    assert [p.user_id for p in r.by_name("Doe,  Jane.")] == ["1003"]
    assert [p.user_id for p in r.by_name("smithjohn")] == ["1001", "1005"]  # two: never one
    assert r.by_name("john") == [] and r.by_name("") == []


# -- grades back --------------------------------------------------------------------------

STUDENTS = {  # student id: (first, last, email, Canvas user id, points, penalty, manual)
    "jsmith": ("John", "Smith", "john@example.edu", "1001", (6, 1.5), 0, False),
    "S-2": ("José", "Núñez", "jose@example.edu", "1002", (6, 4), 2, False),
    "ghost": ("Gina", "Host", "gina@example.edu", "7777", (5, 0), 0, False),
    "late": ("Tara", "Dee", "tara@example.edu", "1004", (6, 4), 15, True),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return gradebook_course(tmp_path_factory.mktemp("canvas"), LAB, STUDENTS)


def test_the_import_file_holds_graded_people_only_and_canvas_keeps_the_others(
    course, tmp_path, capsys
):
    out = tmp_path / "canvas.csv"
    args = ["--to", "canvas", "--out", str(out), "--column", "Lab 2 (4412)"]
    assert export(course, LAB, *args, roster=EXPORT, at=tmp_path / "r.csv") == 0
    rows = read_csv_bom(out)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 2 (4412)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "10"]
    assert rows[2:] == [
        ["Smith, John", "1001", "S-1", "jsmith", "Section A", "7.5"],
        ["Núñez, José", "1002", "S-2", "", "Section A", "8"],  # 10 less its penalty of 2
        ["Smith, Johanna", "1004", "S-4", "jsmith2", "Section B", "0"],  # penalty above points
    ]
    said = capsys.readouterr().out
    assert "no grade in the gradebook" in said and "Jane Doe" in said
    assert "not in the roster: 1 student: Gina Host (5)" in said
    left = read_csv_bom(out.with_name("canvas.csv.left-out.csv"))
    assert {r[0] for r in left[1:]} == {"1003", "ghost"}
    people = [
        {"id": "1001", "sis_user_id": "S-1", "login": "jsmith", "name": "Smith, John"},
        {"id": "1002", "sis_user_id": "S-2", "login": "", "name": "Núñez, José"},
        {"id": "1003", "sis_user_id": "", "login": "", "name": "Doe, Jane"},
        {"id": "1004", "sis_user_id": "S-4", "login": "jsmith2", "name": "Smith, Johanna"},
    ]
    held = {"1001": "3", "1003": "9"}  # Jane's 9 was given by hand in Canvas
    after = importers.canvas(held, out.read_text(encoding="utf-8-sig"), people)
    assert after == {"1001": "7.5", "1002": "8", "1003": "9", "1004": "0"}
    # the rule the file avoids: Canvas reads an empty cell as "remove this grade"
    emptied = out.read_text(encoding="utf-8-sig") + '"Doe, Jane",1003,,,Section B,\r\n'
    assert importers.canvas(held, emptied, people)["1003"] == ""


def test_without_a_roster_the_gradebooks_students_with_a_submission(course, tmp_path):
    out = tmp_path / "canvas.csv"
    assert export(course, LAB, "--to", "canvas", "--out", str(out), at=tmp_path / "r") == 0
    rows = {r[1]: r for r in read_csv_bom(out)[2:]}
    assert rows["1001"] == ["Smith, John", "1001", "", "", "", "7.5"]
    assert set(rows) == {"1001", "1002", "7777", "1004"}  # everyone with a submission


class _Canvas(BaseHTTPRequestHandler):
    """A Canvas that knows course 77 and its assignment 88, and records what it is sent."""

    points = 10

    def _json(self, status, data):
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        self.server.seen.append(("GET", self.path, self.headers.get("Authorization"), None))
        if self.path == "/api/v1/courses/77":
            self._json(200, {"id": 77, "name": "Optimization"})
        elif self.path == "/api/v1/courses/77/assignments/88":
            data = {"id": 88, "course_id": 77, "name": "Lab 2", "points_possible": self.points}
            self._json(200, data)
        else:
            self._json(404, {"errors": [{"message": "not found"}]})

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        self.server.seen.append(("POST", self.path, self.headers.get("Authorization"), body))
        self._json(200, {"id": 5, "workflow_state": "queued", "url": "http://x/progress/5"})

    def log_message(self, *args):
        pass


@pytest.fixture
def canvas(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("CANVAS_API_TOKEN", "secret-token")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canvas)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def upload_args(server, tmp_path):
    url = f"http://127.0.0.1:{server.server_address[1]}"
    return ["--to", "canvas", "--out", str(tmp_path / "c.csv"), "--upload", "--canvas-url", url]


def test_upload_posts_the_grades_with_canvasapi(course, tmp_path, canvas, capsys):
    args = [*upload_args(canvas, tmp_path), "--canvas-course", "77", "--canvas-assignment", "88"]
    assert export(course, LAB, *args, roster=EXPORT, at=tmp_path / "r.csv") == 0
    posts = [s for s in canvas.seen if s[0] == "POST"]
    assert len(posts) == 1
    _, path, auth, body = posts[0]
    assert path == "/api/v1/courses/77/assignments/88/submissions/update_grades"
    assert auth == "Bearer secret-token"
    assert parse_qs(body) == {
        "grade_data[1001][posted_grade]": ["7.5"],
        "grade_data[1002][posted_grade]": ["8"],
        "grade_data[1004][posted_grade]": ["0"],
    }  # nobody without a grade: an empty grade is never posted
    assert "uploaded 3 grades to Canvas assignment 88 (job 5: queued)" in capsys.readouterr().out


def test_upload_refuses_other_points_a_missing_token_or_canvasapi(
    course, tmp_path, canvas, monkeypatch, capsys
):
    args = [*upload_args(canvas, tmp_path), "--canvas-course", "77", "--canvas-assignment", "88"]
    monkeypatch.setattr(_Canvas, "points", 20)
    assert export(course, LAB, *args, roster=EXPORT, at=tmp_path / "r.csv") == 2
    assert "worth 20 points; the grades are out of 10: pass --points 20" in capsys.readouterr().err
    assert not [s for s in canvas.seen if s[0] == "POST"]
    assert export(course, LAB, *upload_args(canvas, tmp_path), at=tmp_path / "r") == 2
    assert "--upload needs --canvas-course, --canvas-assignment" in capsys.readouterr().err
    monkeypatch.delenv("CANVAS_API_TOKEN")
    assert export(course, LAB, *args, at=tmp_path / "r") == 2
    assert "$CANVAS_API_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("CANVAS_API_TOKEN", "secret-token")
    monkeypatch.setitem(sys.modules, "canvasapi", None)  # as if not installed
    assert export(course, LAB, *args, at=tmp_path / "r") == 2
    assert "pip install canvasapi" in capsys.readouterr().err


def test_a_name_that_ends_in_digits_is_read_only_as_the_user_the_roster_knows(tmp_path):
    """Canvas keeps a '_' that a name has, so smith_2_1001_5551_x reads as user 2 with
    attachment 1001, or as user 1001 (named smith_2) with attachment 5551."""
    name = f"smith_2_1001_5551_{LAB}.ipynb"
    subs = download(tmp_path / "s", [name])
    (alone,) = intake_rows(subs).values()
    assert alone.student_id == "" and not alone.counted
    assert "Canvas user 2" in alone.stopped.reason and "Canvas user 1001" in alone.stopped.reason
    (known,) = intake_rows(subs, roster=roster(tmp_path)).values()  # 1001 is John Smith
    assert known.student_id == "jsmith" and known.counted


def test_groups_are_told_apart_by_their_id_and_a_student_is_in_one(tmp_path):
    groups = tmp_path / "groups.csv"
    header = "name,canvas_user_id,user_id,login_id,sections,group_name,canvas_group_id,group_id\n"
    groups.write_text(
        header + '"Smith, John",1001,,,A,Team,10,\n"Doe, Jane",1003,,,B,Team,11,\n'
    )  # two groups of one name
    subs = download(tmp_path / "s", [f"team_1001_5_{LAB}.ipynb"])
    (team,) = intake_rows(subs, options={"groups": groups}).values()
    assert team.members == ()  # Jane is in the other "Team"
    groups.write_text(
        header + '"Smith, John",1001,,,A,Team,10,\n"Smith, John",1001,,,A,Other,12,\n'
    )
    with pytest.raises(RosterError, match="in two groups"):
        intake_rows(subs, options={"groups": groups})
