"""The platforms submissions come from and grades go back to, one module each, and what works
across them: which platform named each file of a download, and the roster of a class.

Every module of this package other than ``base`` is a platform. It holds ``PLATFORM``, an
instance of a ``base.Platform`` subclass. A new platform is one new module here, its tests and
its page in ``docs/instructors/platforms/``. Nothing else lists the platforms.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import pkgutil
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.platforms.base import (
    ExportError,
    Handed,
    Person,
    Platform,
    RosterError,
    Tree,
    read_table,
    safe_id,
)


@functools.cache
def registry() -> dict[str, Platform]:
    """Every platform by name: the specific ones in name order, the fallback last."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append(module.PLATFORM)
    found.sort(key=lambda p: (p.fallback, p.name))
    return {p.name: p for p in found}


def get(name: str) -> Platform:
    return registry()[name]


def targets() -> dict[str, Platform]:
    """Every grade import file any platform writes, by its name (``export --to``)."""
    return {target: p for p in registry().values() for target in p.targets}


def titles() -> str:
    return ", ".join(p.title for p in registry().values())


def recognise(tree: Tree) -> dict[str, Handed]:
    """The owner of every entry of ``tree``, as the platform whose names it follows reads it.

    The specific platforms are asked first. When several read a name, the one whose own naming
    makes up the shortest start of it decides: the rest of a name is the file name the student
    chose, and may imitate another platform's. A name none of them reads goes to the fallback
    (nbgrader's exchange and this tool's layouts), unless it looks like one platform's download:
    such a file gets a ``Handed`` with no person and a ``problem``, so it never makes a student.
    A platform that fails on a name makes that file no one's, never stops the class.
    """
    platforms = list(registry().values())
    specific = [p for p in platforms if not p.fallback]
    fallback = [p for p in platforms if p.fallback]
    out: dict[str, Handed] = {}
    for rel in tree.files:
        name = PurePosixPath(rel).name
        if rel != rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace"):
            out[rel] = Handed(
                Person(), name, unit=rel, problem="its name is not UTF-8 text: rename it"
            )
            continue
        claims = [(p, h) for p in specific if (h := _owner(p, rel, tree)) is not None]
        claims.sort(key=lambda claim: claim[1].prefix)
        if len(claims) > 1 and claims[0][1].prefix == claims[1][1].prefix:
            both = " and ".join(p.title for p, _ in claims[:2])
            handed = Handed(
                Person(),
                name,
                unit=rel,
                problem=f"its name reads as both a {both} download, so it is no one's: rename it",
            )
        elif claims:
            handed = claims[0][1]
        else:
            alike = [p.title for p in specific if p.resembles(rel)]
            if alike:
                handed = Handed(
                    Person(),
                    name,
                    unit=rel,
                    problem=(
                        f"its name looks like a {' or '.join(alike)} download but follows none "
                        f"of the names this tool reads ({titles()}), so it is no one's: download "
                        "the submissions again from the platform, unchanged, or rename the file "
                        "<student id>.ipynb"
                    ),
                )
            else:
                handed = next(h for p in fallback if (h := _owner(p, rel, tree)) is not None)
        out[rel] = handed
    return out


def _owner(platform: Platform, rel: str, tree: Tree) -> Handed | None:
    try:
        return platform.owner(rel, tree)
    except RosterError:
        raise  # the instructor's own file (--groups): it stops the class, saying why
    except Exception as exc:  # noqa: BLE001 -- one odd name is its own file's row
        return Handed(
            Person(),
            PurePosixPath(rel).name,
            unit=rel,
            prefix=len(rel),  # any reading that works wins over this one
            problem=(
                f"{platform.title}'s names could not be read from it ({type(exc).__name__}): "
                "rename it, or grade it by hand"
            ),
        )


# -- rosters --------------------------------------------------------------------------------

#: Latin letters that NFKD keeps whole (no accent to strip), as people type them in ASCII.
_PLAIN = str.maketrans(
    {"ł": "l", "đ": "d", "ð": "d", "ø": "o", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def name_words(text: str) -> list[str]:
    """Lower-case words of ``text`` without accents or punctuation ("Núñez, José" ->
    ["nunez", "jose"]; "Łukasz" -> ["lukasz"])."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", plain.casefold().translate(_PLAIN))


def _name_keys(name: str) -> set[str]:
    """Every spelling of ``name`` without spaces, in any order of its words."""
    words = name_words(name)
    if not words:
        return set()
    if len(words) > 5:  # 720+ orders: the given one, reversed and sorted are enough
        return {"".join(words), "".join(reversed(words)), "".join(sorted(words))}
    return {"".join(p) for p in itertools.permutations(words)}


def _id_key(student_id: str) -> str:
    text = str(student_id).strip()
    return safe_id(text)[0] or text


@dataclass
class Roster:
    """A class as a platform exports it (``--roster FILE``): who is who."""

    platform: str  # the platform whose user ids ``Person.user_id`` holds
    people: list[Person]
    path: Path | None = None
    _by_user: dict = field(default_factory=dict, repr=False, compare=False)
    _by_id: dict = field(default_factory=dict, repr=False, compare=False)
    _by_email: dict = field(default_factory=dict, repr=False, compare=False)
    _keys: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        for p in self.people:
            if p.user_id:
                self._by_user.setdefault(p.user_id, p)
            if p.student_id:
                self._by_id.setdefault(_id_key(p.student_id), p)
            if p.email:
                self._by_email.setdefault(p.email.casefold(), p)
        self._keys = [(_name_keys(p.name), sorted(name_words(p.name)), p) for p in self.people]

    @classmethod
    def read(cls, path: Path, id_column: str | None = None) -> Roster:
        table = read_table(path)
        table.require(id_column)
        readers = [
            (p, people)
            for p in registry().values()
            if (people := p.roster(table, id_column)) is not None
        ]
        if len(readers) > 1:
            raise RosterError(
                f"--roster {path}: its columns fit the exports of "
                f"{' and '.join(p.title for p, _ in readers)}; remove the columns the other one has"
            )
        if readers:
            platform, people = readers[0]
        else:
            known = "; ".join(p.roster_help for p in registry().values() if p.roster_help)
            raise RosterError(
                f"--roster {path}: not a class export this tool reads (its columns: "
                f"{', '.join(table.header[:8])}...). Give one of: {known}; exported in English"
            )
        seen: dict[str, Person] = {}
        users: dict[str, Person] = {}
        for p in people:
            key = _id_key(p.student_id)
            if p.student_id and key in seen:
                other = seen[key]
                raise RosterError(
                    f"--roster {path}: {other.name or '?'} and {p.name or '?'} have the same id "
                    f"({other.student_id!r} and {p.student_id!r}, once normalised); name a "
                    "column of unique ids with --roster-id"
                )
            if p.user_id and p.user_id in users:
                other = users[p.user_id]
                raise RosterError(
                    f"--roster {path}: {other.name or '?'} and {p.name or '?'} have the same "
                    f"{platform.title} id {p.user_id!r}; download the class list again"
                )
            seen[key], users[p.user_id] = p, p
        return cls(platform.name, people, Path(path))

    @property
    def title(self) -> str:
        return get(self.platform).title

    def by_user_id(self, user_id: str) -> Person | None:
        return self._by_user.get(str(user_id).strip()) if user_id else None

    def by_student_id(self, student_id: str) -> Person | None:
        """The person whose course id is ``student_id``, up to ``safe_id``'s normalisation."""
        return self._by_id.get(_id_key(student_id)) if student_id else None

    def by_email(self, email: str) -> Person | None:
        return self._by_email.get(email.strip().casefold()) if email else None

    def by_name(self, name: str) -> list[Person]:
        """The people whose name is ``name`` up to case, accents, punctuation and the order of
        words: the same words ("John Smith" is "Smith, John"; "Ann Abel" is not "Anna Bel"), or,
        for a name of one word as Canvas writes them, the words run together ("smithjohn")."""
        words = name_words(name)
        if len(words) > 1:
            return [p for _, theirs, p in self._keys if theirs == sorted(words)]
        key = "".join(words)
        return [p for keys, _, p in self._keys if key and key in keys]


__all__ = [
    "registry",
    "get",
    "targets",
    "recognise",
    "Roster",
    "RosterError",
    "ExportError",
    "read_table",
    "name_words",
]
