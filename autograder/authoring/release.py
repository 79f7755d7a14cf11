"""Generate ``release/<lab>/`` from ``source/<lab>/`` with ``nbgrader generate_assignment``.

``stale`` regenerates in a temporary copy of the course and lists what differs
from the committed release, ignoring cell ids (volatile by nature).

Before generating, the source notebook gets the notebook metadata a kernel of the course's
environment reports (``kernel_metadata``): JupyterLab writes that into a notebook when its
kernel starts, and a notebook that lacks it opens as modified.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from pathlib import Path

from autograder import notebooks
from autograder.course import Course


@functools.cache
def kernel_metadata() -> dict:
    """``kernelspec`` and ``language_info`` as a ``python3`` kernel of this environment
    reports them (what JupyterLab puts into a notebook's metadata when the kernel starts)."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        info = kc.kernel_info(reply=True, timeout=60)["content"]["language_info"]
        spec = km.kernel_spec
        kernelspec = {"display_name": spec.display_name, "language": spec.language}
        return {"kernelspec": {**kernelspec, "name": km.kernel_name}, "language_info": info}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def metadata_stale(lab: str, course: Course) -> bool:
    nb = notebooks.read(course.source_path(lab))
    return dict(nb.metadata) != kernel_metadata()


def generate(lab: str, course: Course, db_url: str | None = None) -> Path:
    """Give the source notebook the kernel's metadata, then run
    ``nbgrader generate_assignment LAB --force`` in the course folder."""
    if metadata_stale(lab, course):
        path = course.source_path(lab)
        nb = notebooks.read(path)
        nb.metadata = kernel_metadata()
        notebooks.write(nb, path)
    notebooks.nbgrader("generate_assignment", lab, "--force", cwd=course.root, db_url=db_url)
    return course.release_path(lab).parent


def _normalized(path: Path) -> str:
    if path.suffix != ".ipynb":
        return path.read_bytes().hex()
    nb = json.loads(path.read_text())
    for cell in nb.get("cells", []):
        cell.pop("id", None)
    return json.dumps(nb, sort_keys=True, indent=1)


def _files(folder: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(folder)): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    }


def stale(lab: str, course: Course) -> list[str]:
    """Files of ``release/<lab>/`` that differ from a fresh ``generate_assignment`` (or are
    missing or extra), as relative paths; empty when the release is up to date."""
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        scratch = Course(Path(tmp))
        shutil.copy(course.config_path, scratch.root)
        shutil.copytree(course.source_path(lab).parent, scratch.source_path(lab).parent)
        fresh = generate(lab, scratch, db_url=f"sqlite:///{scratch.root / 'gradebook.db'}")
        want, have = _files(fresh), _files(course.release_path(lab).parent)
        names = sorted(set(want) | set(have))
        return [
            n
            for n in names
            if n not in want or n not in have or _normalized(want[n]) != _normalized(have[n])
        ]
