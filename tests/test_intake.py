"""Stage 1, intake: every file becomes exactly one record; a notebook is read or refused."""

from __future__ import annotations

import datetime
import json
import os
import stat
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from scratch import LAB

from autograder.grading import intake
from autograder.grading.submission import SubmissionFault

NB = nbformat.writes(new_notebook(cells=[new_code_cell("x = 1")])).encode()


def _tree(root: Path, files: dict[str, bytes], times: dict[str, int] | None = None) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if times and name in times:
            os.utime(path, (times[name], times[name]))
    return root


def _found(where, **kwargs) -> dict[str, object]:
    return {s.file: s for s in intake.find(where, LAB, **kwargs).submissions}


def test_both_layouts_nbgraders_and_a_zip_give_the_same_records(tmp_path):
    folder = _tree(
        tmp_path / "download" / "course-export",
        {
            "alice.ipynb": NB,
            f"bob/{LAB}.ipynb": NB,
            f"carol/{LAB}/{LAB}.ipynb": NB,
            f"carol/{LAB}/timestamp.txt": b"2026-11-30 10:00:00 UTC",
            "dave/lab2.ipynb": NB,
        },
    )
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in folder.rglob("*"):
            zf.write(p, p.relative_to(tmp_path / "download"))  # wrapped in one folder
    for n, where in enumerate((folder, archive)):
        found = _found(where, scratch=tmp_path / f"scratch{n}")
        assert set(found) == {
            "alice.ipynb",
            f"bob/{LAB}.ipynb",
            f"carol/{LAB}/{LAB}.ipynb",
            "dave/lab2.ipynb",
        }
        assert {s.student_id for s in found.values()} == {"alice", "bob", "carol", "dave"}
        assert all(s.counted and s.runs for s in found.values())
        carol = found[f"carol/{LAB}/{LAB}.ipynb"]
        assert carol.accounts_for == (f"carol/{LAB}/timestamp.txt",)
        assert carol.time == datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC)
        assert carol.time_from == f"carol/{LAB}/timestamp.txt"
        assert f"not named {LAB}.ipynb" in found["dave/lab2.ipynb"].notes[0]


def test_every_file_gets_one_record_and_a_reason(tmp_path):
    root = _tree(
        tmp_path,
        {
            f"pat/{LAB}.ipynb": NB,
            "pat/extra.zip": b"PK",
            "pat/notes.py": b"print(1)",
            f"pat/.ipynb_checkpoints/{LAB}-checkpoint.ipynb": NB,
            "pat/.DS_Store": b"\0",
            "__MACOSX/pat/._lab.ipynb": b"\0",
            "olga.IPYNB": NB,
            "nick.py": b"print(1)",
            "bad name!.ipynb": NB,
        },
    )
    found = _found(root)
    assert set(found) == {
        f"pat/{LAB}.ipynb",
        "pat/extra.zip",
        "pat/notes.py",
        f"pat/.ipynb_checkpoints/{LAB}-checkpoint.ipynb",
        "pat/.DS_Store",
        "__MACOSX/pat/._lab.ipynb",
        "olga.IPYNB",
        "nick.py",
        "bad name!.ipynb",
    }
    counted = {f for f, s in found.items() if s.counted}
    assert counted == {f"pat/{LAB}.ipynb", "olga.IPYNB"}  # one per student; no stray file
    assert found["olga.IPYNB"].runs  # graded like any notebook
    assert "a zip inside" in found["pat/extra.zip"].stopped.reason
    assert "a .py file, not a notebook" in found["pat/notes.py"].stopped.reason
    assert "autosave copy" in found[f"pat/.ipynb_checkpoints/{LAB}-checkpoint.ipynb"].stopped.reason
    assert "a system file" in found["pat/.DS_Store"].stopped.reason
    assert "a system file" in found["__MACOSX/pat/._lab.ipynb"].stopped.reason
    assert "a .py file, not a notebook" in found["nick.py"].stopped.reason
    assert found["nick.py"].student_id == "" and found["nick.py"].notes == []  # no one's
    assert found["bad name!.ipynb"].student_id == ""
    assert "no student id can be read" in found["bad name!.ipynb"].stopped.reason
    assert all(
        s.stopped.status == "error"
        for f, s in found.items()
        if f not in (f"pat/{LAB}.ipynb", "olga.IPYNB")
    )


def test_of_two_notebooks_the_one_named_for_the_lab_is_graded_and_both_say_so(tmp_path):
    root = _tree(
        tmp_path,
        {f"leo/{LAB}.ipynb": NB, f"leo/{LAB} (1).ipynb": NB},
        {f"leo/{LAB}.ipynb": 1_000, f"leo/{LAB} (1).ipynb": 2_000},
    )
    found = _found(root)
    chosen, other = found[f"leo/{LAB}.ipynb"], found[f"leo/{LAB} (1).ipynb"]
    assert chosen.counted and chosen.runs
    assert f"leo/{LAB} (1).ipynb" in chosen.flags[0] and "check which one counts" in chosen.flags[0]
    assert not other.counted and other.row().status == "skipped"
    assert f"leo/{LAB}.ipynb of the same student was graded instead" in other.stopped.reason


def test_else_the_newest_is_graded(tmp_path):
    root = _tree(
        tmp_path,
        {"mia.ipynb": NB, f"mia/{LAB}.ipynb": NB, "sam/a.ipynb": NB, "sam/b.ipynb": NB},
        {"mia.ipynb": 3_000, f"mia/{LAB}.ipynb": 2_000, "sam/a.ipynb": 5_000, "sam/b.ipynb": 4_000},
    )
    found = _found(root)
    assert found["mia.ipynb"].counted and not found[f"mia/{LAB}.ipynb"].counted
    assert found["sam/a.ipynb"].counted and not found["sam/b.ipynb"].counted
    os.utime(root / f"mia/{LAB}.ipynb", (9_000, 9_000))  # now the folder's copy is newer
    assert _found(root)[f"mia/{LAB}.ipynb"].counted


def test_nbgraders_folders_of_other_labs_are_other_assignments(tmp_path):
    root = _tree(
        tmp_path,
        {
            f"lee/{LAB}/{LAB}.ipynb": NB,
            "lee/lab1_minibatch/lab1_minibatch.ipynb": NB,
            "max/lab1_minibatch/lab1_minibatch.ipynb": NB,  # max handed in lab1 only
        },
    )
    found = intake.find(root, LAB, other_labs=["lab1_minibatch"])
    assert [s.file for s in found.submissions] == [f"lee/{LAB}/{LAB}.ipynb"]
    assert found.elsewhere == [
        "lee/lab1_minibatch/lab1_minibatch.ipynb",
        "max/lab1_minibatch/lab1_minibatch.ipynb",
    ]


def test_copies_of_the_labs_own_helpers_belong_to_the_notebooks_row(tmp_path):
    root = _tree(tmp_path, {f"lee/{LAB}.ipynb": NB, "lee/labs/nn.py": b"x", "lee/mine.py": b"y"})
    found = _found(root, helper_files=["labs/nn.py"])
    assert found[f"lee/{LAB}.ipynb"].accounts_for == ("lee/labs/nn.py",)
    assert set(found) == {f"lee/{LAB}.ipynb", "lee/mine.py"}  # mine.py is not the lab's


def test_links_and_special_files_are_refused_not_followed(tmp_path):
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(NB)
    root = _tree(tmp_path / "subs", {"ok.ipynb": NB})
    (root / "eve.ipynb").symlink_to(secret)
    (root / "fay").symlink_to(tmp_path)  # a folder link
    os.mkfifo(root / "gus.ipynb")
    found = _found(root)
    assert set(found) == {"ok.ipynb", "eve.ipynb", "fay", "gus.ipynb"}
    assert "symbolic link" in found["eve.ipynb"].stopped.reason and found["eve.ipynb"].data == b""
    assert found["eve.ipynb"].counted  # eve's notebook, for the gradebook: a 0 to look at
    assert "symbolic link" in found["fay"].stopped.reason
    assert "not a regular file" in found["gus.ipynb"].stopped.reason
    assert all(s.stopped.status == "error" for f, s in found.items() if f != "ok.ipynb")


def test_a_zips_bad_entries_get_rows_and_the_rest_is_graded(tmp_path, monkeypatch):
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", 10_000)
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ann.ipynb", NB)
        zf.writestr("../evil.ipynb", NB)
        zf.writestr("big.ipynb", b" " * 20_000)
        link = zipfile.ZipInfo("lnk.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    found = _found(archive, scratch=tmp_path / "x")
    assert set(found) == {"ann.ipynb", "../evil.ipynb", "big.ipynb", "lnk.ipynb"}
    assert found["ann.ipynb"].runs
    assert "outside the archive" in found["../evil.ipynb"].stopped.reason
    assert "MB in the zip" in found["big.ipynb"].stopped.reason
    assert "symbolic link" in found["lnk.ipynb"].stopped.reason
    assert not (tmp_path / "evil.ipynb").exists()


# -- reading a notebook -----------------------------------------------------------------


def test_read_refuses_what_is_not_a_notebook_with_a_reason():
    with pytest.raises(SubmissionFault, match="not a valid notebook"):
        intake.read(b"{not json")
    with pytest.raises(SubmissionFault, match="not UTF-8"):
        intake.read(b"\xff\xfe\x00")
    broken = json.loads(NB)
    broken["cells"][0] = "a string"
    with pytest.raises(SubmissionFault, match="not a valid notebook"):
        intake.read(json.dumps(broken).encode())
    broken["cells"] = {"0": {}}
    with pytest.raises(SubmissionFault):
        intake.read(json.dumps(broken).encode())


def test_read_keeps_odd_metadata_for_the_restore_stage_to_judge():
    nb = json.loads(NB)
    nb["cells"][0]["metadata"] = {"nbgrader": "grade: true"}
    cell = intake.read(json.dumps(nb).encode()).cells[0]
    assert cell.metadata["nbgrader"] == "grade: true"
    nb["cells"][0]["metadata"] = ["not", "a", "mapping"]
    assert intake.read(json.dumps(nb).encode()).cells[0].metadata == {}


def test_the_size_limit_applies_to_what_runs_not_to_outputs(monkeypatch):
    monkeypatch.setattr(intake, "MAX_NOTEBOOK_BYTES", 50_000)
    cell = new_code_cell("plot()")
    cell.outputs = [new_output("display_data", data={"image/png": "A" * 200_000})]
    nb = intake.read(nbformat.writes(new_notebook(cells=[cell])).encode())
    assert nb.cells[0].outputs == []
    big = new_notebook(cells=[new_code_cell("x = '" + "A" * 200_000 + "'")])
    with pytest.raises(SubmissionFault, match="without their outputs"):
        intake.read(nbformat.writes(big).encode())


def test_the_stage_reads_through_no_link(tmp_path):
    from autograder.grading.submission import Submission

    target = tmp_path / "real.ipynb"
    target.write_bytes(NB)
    (tmp_path / "link.ipynb").symlink_to(target)
    with pytest.raises(OSError):
        intake.stage(Submission.of("link.ipynb", tmp_path / "link.ipynb", "x"), None)
    sub = intake.stage(Submission.of("real.ipynb", target, "x"), None)
    assert sub.nb.cells[0].source == "x = 1" and len(sub.sha256) == 64


def test_a_student_folder_without_a_notebook_is_one_counted_error(tmp_path):
    found = _found(_tree(tmp_path, {"zoe/answers.py": b"x", "zoe/notes.txt": b"y"}))
    assert [f for f, s in found.items() if s.counted] == ["zoe/answers.py"]
    assert "no notebook from zoe was found" in found["zoe/answers.py"].stopped.reason


def test_a_zip_whose_entries_cannot_be_extracted_still_gives_every_entry_a_row(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ann.ipynb", NB)
        zf.writestr("bea", b"a file ...")
        zf.writestr(f"bea/{LAB}.ipynb", NB)  # ... and a folder of the same name
        zf.writestr(f"cid/{LAB}.ipynb", NB)
        zf.writestr(f"cid/{LAB}.ipynb", b"a second entry of that name")
        zf.writestr(f"dan\\{LAB}.ipynb", NB)  # a Windows path: the same as dan/...
        zf.writestr(f"dan/{LAB}.ipynb", NB)
        zf.writestr("eli/" + "a" * 300 + ".ipynb", NB)  # too long a name for the disk
    found = _found(archive, scratch=tmp_path / "x")
    assert found["ann.ipynb"].runs
    assert "same name" in found[f"bea/{LAB}.ipynb"].stopped.reason
    assert any(
        "a second zip entry" in s.row().reason for f, s in found.items() if f.startswith("cid/")
    )
    assert any(
        "a second zip entry" in s.row().reason for f, s in found.items() if f.startswith("dan/")
    )
    assert any(
        "could not be extracted" in s.stopped.reason
        for f, s in found.items()
        if f.startswith("eli/")
    )
    files = [s.file for s in found.values()]
    assert len(files) == len(set(files)) == 8  # one row per entry


def test_what_a_wrapper_folder_leaves_out_gets_rows(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"wrap/alice/{LAB}.ipynb", NB)
        zf.writestr(f"__MACOSX/wrap/alice/._{LAB}.ipynb", b"\0")
        zf.writestr(".DS_Store", b"\0")
    found = _found(archive, scratch=tmp_path / "x")
    assert set(found) == {f"alice/{LAB}.ipynb", f"__MACOSX/wrap/alice/._{LAB}.ipynb", ".DS_Store"}


def test_odd_names_and_ids_never_stop_intake(tmp_path):
    root = _tree(tmp_path, {f"ann/{LAB}.ipynb": NB, "bob\n.ipynb": NB})
    (root / "ann").joinpath(os.fsdecode(b"\xff.ipynb")).write_bytes(NB)
    found = _found(root)
    assert found["bob\n.ipynb"].student_id == ""  # a newline is no part of an id
    odd = next(s for s in found.values() if "\\xff" in s.file)
    assert odd.stopped.status == "error" and "not UTF-8" in odd.stopped.reason
    assert found[f"ann/{LAB}.ipynb"].counted
    for sub in found.values():
        assert sub.row().file.encode("utf-8")  # every row can be written


def test_read_refuses_lone_surrogates_and_odd_ids_with_a_reason():
    lone = (
        b'{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code",'
        b'"id":"a","source":"\\ud800","metadata":{},"outputs":[],"execution_count":null}]}'
    )
    with pytest.raises(SubmissionFault):
        intake.read(lone)
    listed = json.loads(NB)
    listed["nbformat_minor"] = 4
    listed["cells"][0]["id"] = [1]
    nb = intake.read(json.dumps(listed).encode())
    assert isinstance(nb.cells[0].get("id", ""), str)
