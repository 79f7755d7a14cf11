"""After the stages: what the instructor and the students read, from every row of the class.

``grades.csv`` (one row per file: its student, its score when it is the student's counted
file, status, reason, points per test cell), ``results.json`` (every row with every test
cell), ``feedback/<student>.html`` (for each counted row: the student's code, points,
messages and hints -- never the hidden tests or the expected values) and ``report.html``
(the class: score distribution, the pass rate of every test cell, every row). HTML pages are
self-contained.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from autograder import notebooks
from autograder.grading.submission import STATUSES, Row
from autograder.platforms.base import cells
from autograder.text import html_text, inert

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:960px;margin:2em auto;
padding:0 1em;color:#1d2330;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{font-size:1.2em;margin-top:1.6em}
.sub{color:#5b6475} .pill{display:inline-block;padding:.1em .6em;border-radius:1em;font-size:.9em}
.graded{background:#e3f4e8;color:#17603a} .error{background:#fde7e7;color:#8c1d1d}
.flagged{background:#fff4d6;color:#7a5400} .environment{background:#e8ecf5;color:#30416b}
.skipped{background:#eef0f3;color:#4a5160}
.cell{border:1px solid #d9dde5;border-radius:8px;margin:1em 0;overflow:hidden}
.cell header{display:flex;justify-content:space-between;padding:.5em .9em;background:#f5f7fa}
.pass header{border-left:6px solid #2e9d5b} .fail header{border-left:6px solid #d23c3c}
pre{margin:0;padding:.8em .9em;overflow-x:auto;font-size:.88em;background:#fbfbfd;
white-space:pre-wrap} .msg{background:#fff6f6;border-top:1px solid #f1d0d0}
.hint{background:#f3f8ff;border-top:1px solid #d0e1f5;padding:.6em .9em}
table{border-collapse:collapse;width:100%;font-size:.92em}
td,th{border-bottom:1px solid #e3e6ec;padding:.35em .5em;text-align:left} th{background:#f5f7fa}
td.num,th.num{text-align:right;white-space:nowrap} img{max-width:100%}
"""


def _page(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html_text(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def _fmt(x: float) -> str:
    return f"{x:g}"


def lines(rows: Sequence[Row]) -> list[Row]:
    """Every row, each followed by the rows of the group members it also counts for: one
    counted line per student."""
    return [line for r in rows for line in (r, *r.for_members())]


def file_count(rows: Sequence[Row]) -> int:
    """How many files ``rows`` account for: each row's own and the platform's files folded
    into it (a timestamp.txt, a receipt)."""
    return sum(1 + len(r.accounts_for) for r in rows)


def write_csv(path: Path, rows: Sequence[Row], grade_ids: Sequence[str]) -> None:
    """One line per file, and one per group member a file also counts for. A file that is not
    its student's counted one has no score: its reason says which file counts. ``score`` is
    after the late penalty, as nbgrader's gradebook and ``nbgrader export`` give it; the test
    cells' columns are before it."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        [
            "student_id",
            "name",
            "platform",
            "user_id",
            "file",
            "score",
            "max_score",
            "late_penalty",
            "seconds_late",
            "submitted",
            "status",
            "counted",
            "group",
            "reason",
            *grade_ids,
        ]
    )
    for r in lines(rows):
        points = {c.grade_id: c.points for c in r.cells}
        writer.writerow(
            [
                *cells(r.student_id, r.name, r.platform, r.user_id, r.file),
                _fmt(r.final_score) if r.counted else "",
                _fmt(r.max_score),
                _fmt(r.late_penalty) if r.counted else "",
                _fmt(r.seconds_late) if r.counted else "",
                r.submitted if r.counted else "",
                r.status,
                "yes" if r.counted else "no",
                *cells(r.group, r.reason),
                *(_fmt(points.get(g, 0.0)) if r.counted else "" for g in grade_ids),
            ]
        )
    notebooks.write_atomic(path, buf.getvalue())


def write_json(
    path: Path,
    lab: str,
    rows: Sequence[Row],
    sandboxed: bool,
    canary: str = "",
    elsewhere: Sequence[str] = (),
    removed: Sequence[str] = (),
) -> None:
    data = {
        "lab": lab,
        "sandboxed": sandboxed,
        "canary": canary,
        "rows": [r.to_dict() for r in rows],
        "other_assignments": list(elsewhere),  # files of the course's other labs, no row here
        "removed": list(removed),  # students this run removed from the gradebook
    }
    notebooks.write_atomic(path, json.dumps(_inert_strings(data), indent=1))


def _inert_strings(value):
    """Every string of a JSON document (keys too) made inert."""
    if isinstance(value, str):
        return inert(value)
    if isinstance(value, dict):
        return {_inert_strings(k): _inert_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_inert_strings(v) for v in value]
    return value


def feedback_html(lab: str, result: Row, skipped: int = 0) -> str:
    """One student's page: every graded test with points and, when failed, the message and
    the hint, after the student's own code for the exercise above it (``Row.code``); and how
    many of the lab's experiment cells (``skipped``) were not run in grading."""
    code_before = result.code
    status = f"<span class='pill {result.status}'>{result.status}</span>"
    parts = [
        f"<h1>{html_text(lab)} — feedback for {html_text(result.student_id)}</h1>",
        f"<p class='sub'>Score <b>{_fmt(result.final_score)} / "
        f"{_fmt(result.max_score)}</b> &nbsp;{status}</p>",
    ]
    if result.reason:
        parts.append(f"<p>{html_text(result.reason)}</p>")
    if not result.sandboxed:
        parts.append("<p class='sub'>Graded without a sandbox (--no-sandbox).</p>")
    for cell in result.cells:
        kind = "pass" if cell.passed else "fail"
        verdict = "passed" if cell.passed else "failed"
        points = (
            f"{_fmt(cell.points)} / {_fmt(cell.max_points)} points"
            if cell.max_points
            else "visible test, 0 points"
        )
        parts.append(
            f"<section class='cell {kind}'><header><b>{html_text(cell.grade_id)}</b>"
            f"<span>{verdict} · {points}</span></header>"
        )
        for code in code_before.get(cell.grade_id, []):
            parts.append(f"<pre>{html_text(code)}</pre>")
        if not cell.passed and cell.message:
            parts.append(f"<pre class='msg'>{html_text(cell.message)}</pre>")
        if not cell.passed and cell.hint:
            parts.append(f"<div class='hint'><b>Hint:</b> {html_text(cell.hint)}</div>")
        parts.append("</section>")
    if skipped:
        parts.append(
            f"<p class='sub'>{skipped} experiment cell(s) of the lab were not run when graded: "
            "no test depends on them. Run the notebook to see their results.</p>"
        )
    return _page(f"{lab} feedback: {result.student_id}", "".join(parts))


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def report_html(
    lab: str,
    results: Sequence[Row],
    grade_ids: Sequence[str],
    sandboxed: bool,
    canary: str = "",
    elsewhere: Sequence[str] = (),
    removed: Sequence[str] = (),
) -> str:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    files, n_rows = file_count(results), len(results)
    results = lines(results)
    graded = [r for r in results if r.counted and r.status in ("graded", "flagged")]
    max_score = max((r.max_score for r in results), default=0.0)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    scores = [r.final_score for r in graded]
    bins = max(int(max_score), 1)
    axes[0].hist(
        scores,
        bins=bins,
        range=(0, max(max_score, 1)),
        color="tab:blue",
        edgecolor="white",
        label=f"{len(graded)} gradable submissions",
    )
    axes[0].set(
        title="Score distribution", xlabel=f"score (out of {_fmt(max_score)})", ylabel="submissions"
    )
    axes[0].legend()
    rates = [
        100
        * sum(1 for r in graded for c in r.cells if c.grade_id == g and c.passed)
        / max(len(graded), 1)
        for g in grade_ids
    ]
    axes[1].barh(list(grade_ids), rates, color="tab:green", label="passed (%)")
    axes[1].invert_yaxis()
    axes[1].set(
        title="Pass rate of each test",
        xlabel="students who passed (%)",
        ylabel="test cell",
        xlim=(0, 100),
    )
    axes[1].legend(loc="lower right")
    image = _png(fig)
    plt.close(fig)
    counts = {s: sum(r.status == s for r in results if not r.member_of) for s in STATUSES}
    rows = "".join(
        f"<tr><td>{html_text(r.student_id) or '<i>no id</i>'}</td><td>{html_text(r.file)}"
        f"</td><td class='num'>"
        + (f"{_fmt(r.final_score)} / {_fmt(r.max_score)}" if r.counted else "not counted")
        + f"</td><td><span class='pill {r.status}'>{r.status}</span></td>"
        f"<td>{html_text(r.reason)}</td></tr>"
        for r in results
    )
    counted = ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "environment")
    body = (
        f"<h1>{html_text(lab)} — class report</h1>"
        f"<p class='sub'>{files} files in {n_rows} rows: {counted}"
        f"{'' if sandboxed else ' — graded WITHOUT a sandbox'}.</p>"
        + (f"<p class='sub'>{html_text(canary)}.</p>" if canary else "")
        + (
            f"<p class='sub'>{len(elsewhere)} file(s) in other labs' nbgrader folders were left "
            f"to those labs: {html_text(', '.join(elsewhere[:20]))}"
            f"{' ...' if len(elsewhere) > 20 else ''}.</p>"
            if elsewhere
            else ""
        )
        + (f"<p class='sub'>The gradebook: {html_text('; '.join(removed))}.</p>" if removed else "")
        + f"<img alt='score distribution and pass rate per test' src='{image}'>"
        f"<h2>Files</h2><table><tr><th>student</th><th>file</th><th class='num'>score</th>"
        f"<th>status</th><th>reason</th></tr>{rows}</table>"
    )
    return _page(f"{lab} class report", body)


def write_all(
    out: Path,
    parts: Sequence,
    rows: Sequence[Row],
    sandboxed: bool,
    canary: str = "",
    skipped: int = 0,
    elsewhere: Sequence[str] = (),
    removed: Sequence[str] = (),
) -> None:
    """Every page of the class. ``parts``: the lab's notebooks, a ``Part`` each (this
    bundle's labs have one; with several, each student gets a feedback page per notebook)."""
    name = parts[0].assignment
    grade_ids = list(dict.fromkeys(g for part in parts for g in part.grade_ids))
    write_csv(out / "grades.csv", rows, grade_ids)
    write_json(out / "results.json", name, rows, sandboxed, canary, elsewhere, removed)
    for r in lines(rows):
        if r.counted:
            page = r.student_id if len(parts) == 1 else f"{r.student_id}/{r.notebook}"
            notebooks.write_atomic(
                out / "feedback" / f"{page}.html",
                feedback_html(name if len(parts) == 1 else f"{name}/{r.notebook}", r, skipped),
            )
    notebooks.write_atomic(
        out / "report.html",
        report_html(name, rows, grade_ids, sandboxed, canary, elsewhere, removed),
    )
