"""Containment of one job (issue 29): a submission that fills its disk, makes files without
end, forks, spins on every core, allocates all it can, floods its output or leaves a process
that will not die ends at its own job's limits; the honest students graded beside it get full
marks, on local workers and on a Dask cluster; and nothing of it outlives the run."""

from __future__ import annotations

import copy
import datetime
import os
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell
from scratch import FAST, LAB, copy_course

from autograder import mistakes, notebooks
from autograder.demo import democlass
from autograder.grading import pipeline
from autograder.grading.sandbox import Limits, bwrap, kernel, zygote

# every test here reads the machine's processes or times jobs beside a spinner
pytestmark = pytest.mark.alone

HONEST = ("honest-1.ipynb", "honest-2.ipynb", "honest-3.ipynb")
MARKS = (democlass.SPINNER_MARK, democlass.UNDYING_MARK)


def _executed(course, student: str):
    return notebooks.read(course.root / "autograded" / student / LAB / f"{LAB}.ipynb")


def _printed(course, student: str) -> str:
    return "".join(notebooks.stream_text(c) for c in _executed(course, student).cells)


def _depth(pid: str) -> int:
    """How many pid namespaces deep ``pid`` is, seen from /proc's (``NSpid``: one id each)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return len(line.split()) - 1
    return 0


def _left_behind() -> list[str]:
    """The processes of this machine that only a job could have started, at a time no job
    runs: any in a job's pid namespace (two below ours: its sandbox's, then its own), any that
    carries an attack's mark in its command line, any of a zygote's user but its server (when
    the grader is root), and any second process of a zygote's server (a keeper)."""
    mine, users = _depth("self"), range(zygote.UID_BASE, zygote.UID_BASE + zygote.UID_SLOTS)
    left, servers = [], {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            depth, uid = _depth(pid), os.stat(f"/proc/{pid}").st_uid
        except OSError:
            continue  # it ended meanwhile
        server = depth == mine + 1 and b"zygote_server.py" in command
        if server:
            servers.setdefault(command, []).append(pid)
        if (
            depth >= mine + 2
            or any(mark.encode() in command for mark in MARKS)
            or (os.geteuid() == 0 and uid in users and not server)
        ):
            left.append(f"{pid} (uid {uid}): {command[:150]!r}")
    left += [f"{pids}: {c[:150]!r}" for c, pids in servers.items() if len(pids) > 1]
    return left


def _zygote_servers() -> list[str]:
    """The zygote servers alive on this machine, by pid."""
    found = []
    for pid in zygote.processes_naming(zygote.ROOT_PREFIX):
        try:
            if b"zygote_server.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(str(pid))
        except OSError:
            continue
    return found


def _jobs_left(before: set[Path]) -> list[str]:
    """Job folders and undying marks left in the slots of this run's zygotes (those alive, and
    those made since ``before``), and undying marks in the host's /tmp; the mounts of a job
    (its quota, a tmpfs) seen under a zygote's folder by the grader or by a live zygote."""
    tmp = Path(tempfile.gettempdir())
    alive = {r for r in tmp.glob(zygote.ROOT_PREFIX + "*") if zygote.processes_naming(str(r))}
    ours = alive | (set(tmp.glob(zygote.ROOT_PREFIX + "*")) - before)
    left = [str(p) for root in ours for p in (root / "slot").glob("*")]
    left += [str(p) for root in ours for p in root.rglob("undying-*")]
    left += [str(p) for p in tmp.glob("undying-*")]
    for pid in ["self", *_zygote_servers()]:
        for line in Path(f"/proc/{pid}/mountinfo").read_text().splitlines():
            point, kind = line.split()[4], line.split(" - ")[1].split()[0]
            slot = zygote.ROOT_PREFIX in point and "/slot/" in point + "/"
            if slot and (kind == "tmpfs" or not point.endswith("/slot")):
                left.append(f"mounted in {pid}'s namespace: {point} ({kind})")
    return left


def _show_and_check_honest(rows: dict, honest) -> None:
    """Print every row (pytest -s shows them), and check that each of ``honest`` is graded
    with full marks."""
    for name, row in sorted(rows.items()):
        points = f"{row.raw_score:g}/{row.max_score:g}"
        print(f"  {name}: {row.status} {points} in {row.seconds:.1f} s; {row.reason}")
    for name in honest:
        row = rows[name]
        assert (row.status, row.raw_score) == ("graded", row.max_score) and row.max_score > 0, (
            name,
            row.reason,
        )


@pytest.mark.kernel
@pytest.mark.sandbox
def test_one_class_of_every_hostile_kind(hostile_class):
    """Ten files on two workers: each hostile one is its own row, ended at its own limits;
    the three honest students graded beside them get full marks; afterwards no process, job
    folder, mark or mount of any of them is left, though the zygotes live on."""
    rows, what, course = hostile_class["rows"], hostile_class["what"], hostile_class["course"]
    limits = Limits()  # FAST changes only the times and the memory
    assert sorted(rows) == sorted(what) and len(what) == 10  # one row per file
    print("\nthe hostile class, FAST limits, 2 workers:")
    _show_and_check_honest(rows, HONEST)

    disk = rows["disk-filler.ipynb"]
    assert disk.status == "error" and "disk quota" in disk.reason, disk.reason
    assert f"wrote more than {limits.disk_mb} MB" in disk.reason
    filled = _printed(course, "disk-filler").split("FILLED ")[1]
    assert 0 < int(filled.split()[0]) <= limits.disk_mb // 100, filled  # files of 100 MB
    assert "No space left on device" in filled, filled

    files = rows["file-bomb.ipynb"]
    assert files.status == "error" and "quota of files" in files.reason, files.reason
    made = _printed(course, "file-bomb").split("MADE ")[1]
    assert 0 < int(made.split()[0]) < limits.disk_files and "No space left" in made, made

    # the others end at their own limits; the row says what the grader saw of each
    expected = {
        "fork-bomb.ipynb": ("flagged", "exits the kernel"),  # os._exit, in its children
        "spinner.ipynb": ("flagged", "starts other programs"),
        "undying.ipynb": ("flagged", "starts other programs"),
        "output-flood.ipynb": ("graded", "output limit reached"),
    }
    for name, (status, said) in expected.items():
        row = rows[name]
        assert row.status == status and said in row.reason, (name, row.status, row.reason)
    spun = _printed(course, "spinner")
    assert "SPINNING 8 processes and 8 threads;" in spun, spun[-800:]
    assert "setsid refused: PermissionError" in spun and "setsid WORKED" not in spun
    assert "start_new_session refused" in spun
    assert "UNDYING ['/tmp/undying-" in _printed(course, "undying")
    allocated = _printed(course, "memory-bomb").split("ALLOCATED ")[1]
    assert int(allocated.split()[0]) < FAST.memory_mb and "MemoryError" in allocated
    # a memory bomb that catches its MemoryError leaves the grader nothing to say
    bomb = rows["memory-bomb.ipynb"]
    assert (bomb.status, bomb.raw_score, bomb.reason) == ("graded", bomb.max_score, "")

    assert _left_behind() == []
    assert _jobs_left(hostile_class["zygotes_before"]) == []
    assert kernel.ZYGOTES.all, "the pool's zygotes should live on for the next run"


def _ran(nb, index: int) -> tuple[datetime.datetime, datetime.datetime]:
    """When cell ``index`` of an executed notebook ran, by its kernel's own timestamps."""
    stamps = nb.cells[index].metadata["execution"]
    when = datetime.datetime.fromisoformat
    return when(stamps["iopub.execute_input"]), when(stamps["shell.execute_reply"])


def _spun(nb) -> tuple[datetime.datetime, datetime.datetime]:
    """From the end of its spinner cell (cell 1) to the end of its last cell run."""
    last = max(i for i, c in enumerate(nb.cells) if c.metadata.get("execution"))
    return _ran(nb, 1)[1], _ran(nb, last)[1]


#: A moment of an honest student's own work, all CPU (about 1 s on a 2-core machine beside
#: another honest job): the cell that would miss the 5 s cell limit first were a spinner's
#: processes to take more than their job's share of the CPU.
BUSY = "_total = sum(i * i for i in range(15_000_000))\nprint('BUSY', _total > 0)"


@pytest.mark.kernel
@pytest.mark.sandbox
def test_a_spinner_beside_honest_students_keeps_them_within_their_limits(tmp_path):
    """Two spinners (``democlass.SPINNER``, spinning for 28 s) are graded by two workers;
    once all their processes spin, two honest students (the solution and a cell of CPU work
    of their own, ``BUSY``) are graded by two more, with the FAST limits (5 s per cell): the
    honest ones get full marks and reach no limit. Their times beside the spinners are
    printed, never asserted."""
    course = copy_course(tmp_path / "course", [LAB])
    solution = mistakes.reference_submissions(LAB, course)["solution"]
    honest = copy.deepcopy(solution)  # its own work first, well inside the spinners' 28 s
    busy = 1
    honest.cells.insert(busy, new_code_cell(BUSY))
    options = pipeline.Options(workers=2, limits=FAST, progress=False)

    def grade(names: dict, where: str) -> dict:
        folder = tmp_path / where / "subs"
        folder.mkdir(parents=True)
        for name, nb in names.items():
            (folder / f"{name}.ipynb").write_text(nbformat.writes(nb))
        into = course if where != "spinners" else copy_course(tmp_path / where / "course", [LAB])
        rows = pipeline.grade(LAB, folder, tmp_path / where / "out", into, options)
        return {r.student_id: (r, _executed(into, r.student_id)) for r in rows}

    # spinning from its first cell, then for 4 s per hold: 28 s, for the honest class's own
    # start (its zygotes, its canary) takes 10 to 20 s before its work begins on a busy machine
    spinner = copy.deepcopy(solution)
    holding = [new_code_cell("import time\n\ntime.sleep(4)") for _ in range(7)]
    spinner.cells[1:1] = [new_code_cell(democlass.SPINNER), *holding]
    box: dict = {}

    def spin():
        try:
            box["rows"] = grade({"1-spinner": spinner, "2-spinner": spinner}, "spinners")
        except BaseException as exc:  # noqa: BLE001 -- re-raised below
            box["error"] = exc

    spinning = threading.Thread(target=spin)
    spinning.start()
    while len(zygote.processes_naming(democlass.SPINNER_MARK)) < 16 and spinning.is_alive():
        time.sleep(0.05)  # until both spinners' 8 processes each spin
    beside = grade({"c-honest": honest, "d-honest": honest}, "beside")
    spinning.join(timeout=300)
    assert not spinning.is_alive(), "the spinners were not graded"
    if "error" in box:
        raise box["error"]

    for name, (row, _) in beside.items():
        assert (row.status, row.raw_score, row.reason) == ("graded", row.max_score, ""), (name, row)
        assert row.max_score > 0
    spun = {}
    for name, (_, nb) in box["rows"].items():
        printed = "".join(notebooks.stream_text(c) for c in nb.cells)
        assert "SPINNING 8 processes and 8 threads;" in printed, printed[-800:]
        assert "setsid refused: PermissionError" in printed and "setsid WORKED" not in printed
        assert "start_new_session refused" in printed, printed
        spun[name] = _spun(nb)
    for name, (_, nb) in beside.items():  # the premise: it worked while both spinners spun
        start, end = _ran(nb, busy)
        assert all(s < start and end < e for s, e in spun.values()), (name, start, end, spun)

    def figures(rows):
        def own(nb):
            start, end = _ran(nb, busy)
            return (end - start).total_seconds()

        said = [f"{r.seconds:.2f} s (its own work {own(nb):.2f} s)" for r, nb in rows.values()]
        return ", ".join(said)

    print(
        f"\nhonest notebooks, FAST limits, 2 workers, CPU share: {bwrap.cpu_share()}\n"
        f"  beside two spinners: {figures(beside)}\n"
        "  the spinners' own: "
        + ", ".join(f"{row.seconds:.2f} s" for row, _ in box["rows"].values())
    )
    assert _left_behind() == []


@pytest.mark.kernel
@pytest.mark.sandbox
@pytest.mark.cluster
def test_a_cluster_holds_the_same_way(tmp_path):
    """The kinds the issue names -- a process outliving its kernel, a disk filler, a flood of
    results messages, a spinner -- beside two honest students, graded on a Dask cluster of two
    worker processes: the same rows as on local workers, and nothing left once it is gone."""
    from distributed import LocalCluster

    course = copy_course(tmp_path / "course", [LAB])
    subs = tmp_path / "subs"
    subs.mkdir()
    solution = mistakes.reference_submissions(LAB, course)["solution"]
    attacks = {name: democlass.HOSTILE[name][0] for name in ("undying", "disk-filler", "spinner")}
    attacks["results-flood"] = democlass.RESULTS_FLOOD
    for name, code in attacks.items():
        nb = democlass.attacked(LAB, course, code)
        (subs / f"{name}.ipynb").write_text(nbformat.writes(nb))
    for name in ("honest-1", "honest-2"):
        (subs / f"{name}.ipynb").write_text(nbformat.writes(solution))
    before = set(Path(tempfile.gettempdir()).glob(zygote.ROOT_PREFIX + "*"))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        options = pipeline.Options(
            cluster=cluster.scheduler_address, workers=2, limits=FAST, progress=False
        )
        rows = {r.file: r for r in pipeline.grade(LAB, subs, tmp_path / "out", course, options)}
        during = _left_behind(), _jobs_left(before)  # the workers' zygotes still live
    assert sorted(rows) == sorted(p.name for p in subs.iterdir())  # one row per file
    print("\nthe same kinds on a Dask cluster (2 worker processes, FAST limits):")
    _show_and_check_honest(rows, ("honest-1.ipynb", "honest-2.ipynb"))
    disk = rows["disk-filler.ipynb"]
    assert disk.status == "error" and "disk quota" in disk.reason, disk.reason
    flooded = rows["results-flood.ipynb"]
    assert flooded.status == "flagged", flooded.reason
    assert "results messages the grader did not ask for were dropped" in flooded.reason
    for name in ("spinner.ipynb", "undying.ipynb"):
        assert rows[name].status == "flagged" and "starts other programs" in rows[name].reason
    spun = _printed(course, "spinner")
    assert "setsid refused: PermissionError" in spun and "setsid WORKED" not in spun, spun
    assert during == ([], [])
    assert _left_behind() == []  # the workers went, and their zygotes with them
    assert _jobs_left(before) == []
