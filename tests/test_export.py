"""``autograder export``: the gradebook's grades as Canvas and Moodle import them."""

from __future__ import annotations

import csv
import io
import json
import sys
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from autograder import export
from autograder.roster import Person, Roster

LAB = "lab2_optimizers"
FORMULA_FIRST, FORMULA_LAST = '=HYPERLINK("http://x")', "@SUM(1)"

# student id: (first, last, email, Canvas user id, (cell 1, cell 2) or None, late penalty,
# needs manual grading). The lab is worth 6 + 4 = 10 points.
STUDENTS = {
    "alee": ("Ann", "Lee", "ann@example.edu", "1001", (6, 1.5), 0, False),
    "jnunez": ("José", "Núñez", "jose@example.edu", "1002", (6, 4), 2, False),
    "mallory": (FORMULA_FIRST, FORMULA_LAST, "mal@example.edu", "1003", (4, 0), 0, True),
    "ghost": ("Gina", "Host", "gina@example.edu", "1004", (5, 0), 0, False),
    "nosub": ("Noah", "Sub", "noah@example.edu", "1005", None, 0, False),
    "tardy": ("Tara", "Dee", "tara@example.edu", "1006", (6, 4), 15, False),
}

# Canvas's Grades > Export of the class: ghost is not in it, Zoe has no submission.
CANVAS_ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1 (4411)\n"
    "    Points Possible,,,,,10\n"
    '"Lee, Ann",1001,S-1,alee,A,9\n'
    '"Núñez, José",1002,S-2,jnunez,A,\n'
    f'"{FORMULA_LAST}, {FORMULA_FIRST.replace(chr(34), chr(34) * 2)}",1003,,mallory,B,\n'
    '"Sub, Noah",1005,,nosub,B,\n'
    '"Dee, Tara",1006,,tardy,B,\n'
    '"Zed, Zoe",1007,,zzed,B,\n'
    '"Student, Test",9999,,,A,\n'
)

# Moodle's Grades > Export > Plain text file, UTF-8 with a byte-order mark.
MOODLE_ROSTER = (
    "\ufeffFirst name,Last name,ID number,Institution,Department,Email address,Lab 1\n"
    "Ann,Lee,alee,U,CS,ann@example.edu,9.00\n"
    "José,Núñez,jnunez,U,CS,jose@example.edu,-\n"
    f'"{FORMULA_FIRST.replace(chr(34), chr(34) * 2)}",{FORMULA_LAST},mallory,U,CS,'
    "mal@example.edu,-\n"
    "Noah,Sub,nosub,U,CS,noah@example.edu,-\n"
    "Tara,Dee,tardy,U,CS,tara@example.edu,-\n"
    "Zoe,Zed,zzed,U,CS,zoe@example.edu,-\n"
)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder whose gradebook (nbgrader's API) holds STUDENTS' lab2 grades."""
    import nbgrader
    from alembic.script import ScriptDirectory
    from nbgrader import api
    from sqlalchemy.exc import SAWarning

    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    # a new gradebook is stamped with the schema version nbgrader gets from the `alembic`
    # command (a subprocess, a second): read it from nbgrader's migrations instead
    head = ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(api, "get_alembic_version", lambda: head)
        gb = api.Gradebook(f"sqlite:///{root / 'gradebook.db'}")
    with gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission trips them
        gb.add_assignment(LAB)
        gb.add_notebook(LAB, LAB)
        gb.add_grade_cell("c1", LAB, LAB, max_score=6, cell_type="code")
        gb.add_grade_cell("c2", LAB, LAB, max_score=4, cell_type="code")
        for sid, (first, last, email, lms, cells, penalty, manual) in STUDENTS.items():
            gb.add_student(sid, first_name=first, last_name=last, email=email, lms_user_id=lms)
            if cells is None:
                continue
            gb.add_submission(LAB, sid)
            for cell, points in zip(("c1", "c2"), cells, strict=True):
                grade = gb.find_grade(cell, LAB, LAB, sid)
                grade.auto_score = points
                grade.needs_manual_grade = manual
            gb.find_submission_notebook(LAB, LAB, sid).late_submission_penalty = penalty
        gb.db.commit()
    return root


def run(course, tmp_path, *args, roster: str | None = None):
    argv = ["export", LAB, "--course", str(course), *args]
    if roster is not None:
        (tmp_path / "roster.csv").write_bytes(roster.encode("utf-8"))
        argv += ["--roster", str(tmp_path / "roster.csv")]
    return export.main_for_tests(argv)


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_canvas_with_a_roster(course, tmp_path, capsys):
    out = tmp_path / "canvas.csv"
    assert run(course, tmp_path, "--to", "canvas", "--out", str(out), roster=CANVAS_ROSTER) == 0
    rows = read_csv(out)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", LAB]
    assert rows[1] == ["    Points Possible", "", "", "", "", "10"]
    assert rows[2:] == [
        ["Ann Lee", "1001", "S-1", "alee", "A", "7.5"],
        ["José Núñez", "1002", "S-2", "jnunez", "A", "8"],  # 10 less its late penalty 2
        [f"'{FORMULA_FIRST} {FORMULA_LAST}", "1003", "", "mallory", "B", "4"],
        ["Noah Sub", "1005", "", "nosub", "B", ""],  # no submission: empty, not 0
        ["Tara Dee", "1006", "", "tardy", "B", "0"],  # a penalty above the points: 0
        ["Zoe Zed", "1007", "", "zzed", "B", ""],
    ]
    said = capsys.readouterr().out
    assert "no submission (empty cell, not 0): 2 students: Noah Sub, Zoe Zed" in said
    assert "not in the roster: 1 student" in said and "ghost (5)" in said
    assert "needs manual grading in formgrader: 1 student: mallory" in said
    side = read_csv(export.sidecar(out))
    assert side[0][:7] == ["student_id", "name", "email", "lms_user_id", "reason", "grade", "score"]
    assert side[1][:7] == [
        "ghost",
        "Gina Host",
        "gina@example.edu",
        "1004",
        "not in the roster",
    ] + [
        "5",
        "5",
    ]
    assert len(side) == 2


def test_points_scale_the_grades_and_column_names_a_canvas_assignment(course, tmp_path):
    out = tmp_path / "canvas.csv"
    args = ["--to", "canvas", "--out", str(out), "--points", "20", "--column", "Lab 2 (12345)"]
    assert run(course, tmp_path, *args, roster=CANVAS_ROSTER) == 0
    rows = read_csv(out)
    assert rows[0][-1] == "Lab 2 (12345)"
    assert rows[1][-1] == "20"
    assert {r[1]: r[-1] for r in rows[2:]} == {
        "1001": "15",
        "1002": "16",
        "1003": "8",
        "1005": "",
        "1006": "0",
        "1007": "",
    }
    assert read_csv(export.sidecar(out))[1][5] == "10"  # ghost's 5 of 10, scaled too


def test_canvas_without_a_roster_uses_the_gradebook(course, tmp_path, capsys):
    out = tmp_path / "canvas.csv"
    assert run(course, tmp_path, "--to", "canvas", "--out", str(out)) == 0
    rows = {r[1]: r for r in read_csv(out)[2:]}
    assert rows["1001"] == ["Lee, Ann", "1001", "", "", "", "7.5"]
    assert rows["1002"][0] == "Núñez, José"
    assert rows["1003"][0].startswith("'@SUM(1), =HYPERLINK")
    assert rows["1004"][-1] == "5"  # without a roster, every gradebook student is in
    assert rows["1005"][-1] == ""
    assert not export.sidecar(out).exists()
    assert "no submission (empty cell, not 0): 1 student: Noah Sub" in capsys.readouterr().out


def test_moodle_with_its_grade_export_as_roster(course, tmp_path, capsys):
    out = tmp_path / "moodle.csv"
    assert run(course, tmp_path, "--to", "moodle", "--out", str(out), roster=MOODLE_ROSTER) == 0
    rows = read_csv(out)
    assert rows[0] == ["Full name", "ID number", "Username", "Email address", LAB]
    assert rows[1:] == [
        ["Ann Lee", "alee", "", "ann@example.edu", "7.5"],
        ["José Núñez", "jnunez", "", "jose@example.edu", "8"],
        [f"'{FORMULA_FIRST} {FORMULA_LAST}", "mallory", "", "mal@example.edu", "4"],
        ["Noah Sub", "nosub", "", "noah@example.edu", ""],
        ["Tara Dee", "tardy", "", "tara@example.edu", "0"],
        ["Zoe Zed", "zzed", "", "zoe@example.edu", ""],
    ]
    said = capsys.readouterr().out
    assert "map from 'ID number' to 'ID number'" in said
    assert "the gradebook's student ids" not in said  # they are the roster's ID numbers
    assert "Moodle clears a grade given there" in said
    assert "not in the roster: 1 student" in said
    assert read_csv(export.sidecar(out))[1][0] == "ghost"


def test_moodle_without_a_roster_identifies_by_email(course, tmp_path, capsys):
    out = tmp_path / "moodle.csv"
    assert run(course, tmp_path, "--to", "moodle", "--out", str(out)) == 0
    rows = {r[3]: r for r in read_csv(out)[1:]}
    assert rows["ann@example.edu"] == ["Ann Lee", "alee", "", "ann@example.edu", "7.5"]
    assert rows["gina@example.edu"][-1] == "5"
    assert rows["noah@example.edu"][-1] == ""
    assert "map from 'Email address' to 'Email address'" in capsys.readouterr().out


def test_default_out_is_in_the_courses_graded_folder(course, tmp_path):
    assert run(course, tmp_path, "--to", "canvas") == 0
    out = course / "graded" / LAB / f"{LAB}-canvas.csv"
    assert {r[1]: r[-1] for r in read_csv(out)[2:]}["1001"] == "7.5"


def test_a_lab_not_in_the_gradebook_and_a_bad_roster_id_exit_2(course, tmp_path, capsys):
    argv = ["export", "lab9_nothing", "--to", "canvas", "--course", str(course)]
    assert export.main_for_tests(argv) == 2
    assert "no lab 'lab9_nothing'" in capsys.readouterr().err
    code = run(course, tmp_path, "--to", "canvas", "--roster-id", "Matrikel", roster=CANVAS_ROSTER)
    assert code == 2
    assert "--roster-id 'Matrikel'" in capsys.readouterr().err
    assert run(course, tmp_path, "--to", "moodle", roster=CANVAS_ROSTER) == 2
    assert "is a canvas roster, but --to moodle" in capsys.readouterr().err


def graded(sid, raw, email="", submitted=True):
    return export.Graded(sid, sid.title(), email=email, submitted=submitted, raw=raw, max_score=10)


def test_moodle_rows_without_the_identifier_are_never_written():
    """Moodle gives a row with an empty identifier to the user of the row before it."""
    roster = Roster(
        "moodle",
        [
            Person("ann", "Ann", email="ann@example.edu"),
            Person("bo", "Bo", sis_id="B1"),  # graded, but no email
            Person("cy", "Cy", sis_id="C1"),  # no email, no submission
        ],
    )
    students = [graded("ann", 7), graded("bo", 9)]
    p = export.plan("moodle", students, 10.0, roster, id_column="Email address")
    assert p.identifier == "Email address"
    assert [(ln.person.student_id, ln.grade) for ln in p.lines] == [("ann", "7")]
    assert [(s.student_id, reason) for s, reason in p.unmatched] == [
        ("bo", "no Email address for Moodle")
    ]
    assert [ln.person.student_id for ln in p.no_identifier] == ["cy"]
    assert "left out, no Email address (and no submission): 1 student: Cy" in export.report(
        p, Path("x.csv")
    )


def test_moodle_without_roster_or_emails_maps_the_student_ids_and_says_so():
    p = export.plan("moodle", [graded("ann", 7, "ann@example.edu"), graded("bo", 9)], 10.0)
    assert p.identifier == "ID number"
    assert [(ln.person.sis_id, ln.grade) for ln in p.lines] == [("ann", "7"), ("bo", "9")]
    said = export.report(p, Path("x.csv"))
    assert "map from 'ID number' to 'ID number'" in said
    assert "holds the gradebook's student ids: map it only if they are Moodle ID numbers" in said


def test_write_guards_every_text_cell_and_keeps_unicode(tmp_path):
    lines = [
        export.Line(Person("-1", "+Zoë Ærø", lms_id="@7", sis_id="=1+1", section="\tX"), "9.5")
    ]
    out = tmp_path / "c.csv"
    export.write("canvas", lines, out, "Lab", 10)
    assert read_csv(out)[2] == ["'+Zoë Ærø", "'@7", "'=1+1", "", "'\tX", "9.5"]


@pytest.mark.parametrize(
    "value, text", [(7.456, "7.46"), (10.0, "10"), (0.0, "0"), (1234567.891, "1234567.89")]
)
def test_grades_have_at_most_two_decimals(value, text):
    assert export.fmt(value) == text


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
    return [
        "--to",
        "canvas",
        "--out",
        str(tmp_path / "c.csv"),
        "--upload",
        "--canvas-url",
        url,
        "--canvas-course",
        "77",
        "--canvas-assignment",
        "88",
    ]


def test_upload_posts_the_grades_with_canvasapi(course, tmp_path, canvas, capsys):
    assert run(course, tmp_path, *upload_args(canvas, tmp_path), roster=CANVAS_ROSTER) == 0
    posts = [s for s in canvas.seen if s[0] == "POST"]
    assert len(posts) == 1
    _, path, auth, body = posts[0]
    assert path == "/api/v1/courses/77/assignments/88/submissions/update_grades"
    assert auth == "Bearer secret-token"
    assert parse_qs(body) == {
        "grade_data[1001][posted_grade]": ["7.5"],
        "grade_data[1002][posted_grade]": ["8"],
        "grade_data[1003][posted_grade]": ["4"],
        "grade_data[1006][posted_grade]": ["0"],
    }  # nobody without a submission: an empty grade is never posted
    assert "uploaded 4 grades to Canvas assignment 88 (job 5: queued)" in capsys.readouterr().out


def test_upload_refuses_grades_out_of_other_points(course, tmp_path, canvas, monkeypatch, capsys):
    monkeypatch.setattr(_Canvas, "points", 20)
    assert run(course, tmp_path, *upload_args(canvas, tmp_path), roster=CANVAS_ROSTER) == 2
    assert "worth 20 points; the grades are out of 10: pass --points 20" in capsys.readouterr().err
    assert not [s for s in canvas.seen if s[0] == "POST"]


def test_upload_without_token_or_canvasapi_says_what_to_do(
    course, tmp_path, canvas, monkeypatch, capsys
):
    args = upload_args(canvas, tmp_path)
    monkeypatch.delenv("CANVAS_API_TOKEN")
    assert run(course, tmp_path, *args) == 2
    assert "$CANVAS_API_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("CANVAS_API_TOKEN", "secret-token")
    monkeypatch.setitem(sys.modules, "canvasapi", None)  # as if not installed
    assert run(course, tmp_path, *args) == 2
    assert "pip install canvasapi" in capsys.readouterr().err
    assert canvas.seen == []
