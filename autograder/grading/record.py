"""Stage 7, record: the row reaches the gradebook, nbgrader's folders and the resume state.

For the file that counts as the student's submission (``Submission.counted``), unless its
status is ``environment`` (nothing is recorded then, and the next run grades it again):

- ``submitted/<student>/<lab>/`` gets the file and nbgrader's timestamp and secret, and
  ``autograded/<student>/<lab>/`` the executed notebook -- or, when nothing could run, the
  release notebook with every test failed by the reason -- with the lab's own helpers, as
  ``nbgrader autograde`` leaves it, so formgrader, ``generate_feedback`` and
  ``release_feedback`` work as usual;
- the gradebook gets its points (``gradebook.save``), which replace any earlier ones, at
  the time it was handed in (``submitted_at``), and the course's late-submission plugin
  sets its penalty.

Every row but an ``environment`` one is then kept in ``<out>/.state/`` with the key of what
it was graded from, so a rerun keeps it while the file and its neighbours are unchanged, and
an interrupted run loses at most the submissions in flight. A run without a gradebook
(``check``, the canary) records nothing.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import os
import re
from pathlib import Path

import nbformat

from autograder.grading import gradebook, restore
from autograder.grading.submission import EnvironmentFault, Row, Submission


def state_path(out: Path, file: str) -> Path:
    return out / ".state" / (hashlib.sha256(file.encode()).hexdigest()[:32] + ".json")


def save_state(out: Path, row: Row) -> None:
    path = state_path(out, row.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(row.to_dict()))
    os.replace(tmp, path)


def load_state(out: Path, file: str) -> Row | None:
    try:
        return Row.from_dict(json.loads(state_path(out, file).read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not (path.is_file() and not path.is_symlink() and path.read_bytes() == content):
        path.unlink(missing_ok=True)
        path.write_bytes(content)


def store_copies(sub: Submission, ctx, executed) -> None:
    """nbgrader's layout of the submission, for formgrader and the feedback commands."""
    lab, root = ctx.lab.name, ctx.course.root
    sub_dir = root / "submitted" / sub.student_id / lab
    name = f"{ctx.lab.notebook}.ipynb" if sub.nb is not None else Path(sub.file).name
    if sub.data:
        _write(sub_dir / name, sub.data)
    for extra, content in sub.extras.items():
        _write(sub_dir / extra, content)
    done = root / "autograded" / sub.student_id / lab
    for extra, content in {**sub.extras, **ctx.lab.files}.items():
        _write(done / extra, content)
    done.mkdir(parents=True, exist_ok=True)
    nbformat.write(executed, str(done / f"{ctx.lab.notebook}.ipynb"))


#: The only output types a stored notebook keeps: text, and images as data.
INERT = ("text/plain", "image/png", "image/jpeg")
_SCHEMES = re.compile(r"(java|vb)script\s*:|data\s*:\s*text/html", re.IGNORECASE)


def _inert_markdown(text: str) -> str:
    """Markdown that renders as text: no HTML, no script links."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SCHEMES.sub("blocked:", text)


def inert(nb, lab) -> None:
    """Make what a person opens from the stored notebook inert, in place: nbgrader's feedback,
    formgrader and any viewer render student outputs as text and images only (HTML,
    JavaScript, SVG, Markdown and widget outputs are dropped, with a note), the student's
    Markdown cells as escaped text, and the notebook's metadata is the course's."""
    nb.metadata = copy.deepcopy(lab.source.metadata)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not restore.protected(cell):
            cell.source = _inert_markdown(cell.source)
            cell.pop("attachments", None)
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data")
            if out.get("output_type") in ("display_data", "execute_result") and isinstance(
                data, dict
            ):
                dropped = sorted(set(data) - set(INERT))
                out["data"] = {k: v for k, v in data.items() if k in INERT}
                out["metadata"] = {}
                if dropped and "text/plain" not in out["data"]:
                    out["data"]["text/plain"] = f"[not shown when graded: {', '.join(dropped)}]"


def stage(sub: Submission, ctx) -> Submission:
    if ctx.out is None:  # check and the canary record nothing
        return sub
    row = sub.row()
    if row.status == "environment":
        return sub
    if sub.counted:
        executed = (
            sub.execution.nb
            if sub.execution is not None
            else gradebook.not_graded(ctx.lab.release, row.reason)
        )
        inert(executed, ctx.lab)
        store_copies(sub, ctx, executed)
        ctx.assignment_recorded.wait()
        if ctx.assignment_error:
            raise EnvironmentFault(
                f"the lab could not be recorded in the gradebook ({ctx.assignment_error[0]}); "
                "nothing was recorded: grade again"
            )
        when = submitted_at(sub, ctx.due)  # may flag it: the row the gradebook gets says so
        row = sub.row()
        late = gradebook.save(
            ctx.course.db_url,
            ctx.lab.name,
            row,
            executed,
            when,
            ctx.course.config,
            {"lms_user_id": sub.lms_id} if sub.lms_id else None,
            ctx.lab.notebook,
        )
        sub.submitted, sub.seconds_late, sub.late_penalty = (
            late.submitted,
            late.seconds_late,
            late.penalty,
        )
        if late.seconds_late > 0:
            sub.note(
                f"handed in {_duration(late.seconds_late)} late"
                + (f"; late penalty {late.penalty:g} point(s)" if late.penalty else "; no penalty")
                + " (the course's nbgrader LateSubmissionPlugin)"
            )
        if sub.replaces and gradebook.remove_submission(
            ctx.course.db_url, ctx.lab.name, sub.replaces
        ):
            sub.note(f"replaces the gradebook entry an earlier run made for {sub.replaces}")
        row = sub.row()
    save_state(ctx.out, row)
    return sub


def submitted_at(sub: Submission, due) -> str | None:
    """When the submission was handed in, for the gradebook: nbgrader's ``timestamp.txt``
    wins; else a file Canvas marked LATE counts as handed in one second after the due date
    (Canvas gives no time: the least lateness it can mean; the row says so); else unknown
    (on time, as nbgrader treats a submission without a timestamp)."""
    if sub.timestamp:
        return sub.timestamp
    if sub.late and due is not None:
        sub.flag(
            "Canvas marked it LATE but gives no time: taken as handed in 1 s after the due "
            "date; check the time in Canvas"
        )
        return (due + datetime.timedelta(seconds=1)).isoformat()
    if sub.late:
        sub.flag("Canvas marked it LATE, but the gradebook has no due date: no penalty")
    return None


def _duration(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


__all__ = ["stage", "save_state", "load_state", "store_copies"]
