"""Part of intake: the student each file counts for. It starts from what the file's platform says
(a ``platforms.base.Handed``) and uses the class's roster, if one is given.

A person on a platform is an *identity*, a pair (platform, user id). The rules are:

- A roster matches an identity by the platform's user id when it holds that platform's ids. It
  matches by the course's id when the platform's ids are course ids (nbgrader's exchange), and by
  email when the platform has one.
- A display name is used only when exactly one roster person has that name. The roster must also
  hold no other user id of that platform for that person, and no other identity of the class may
  map to that person. Otherwise the file is no one's, and its reason says who it could be and how
  to fix it: give a roster with the platform's ids.
- An identity the roster lacks keeps its platform id as its student id, and the row says so.
- The final id is the id after ``safe_id``. Files are grouped by it, and two identities never share
  one. Identities that meet under one final id are one student only when the roster put each of
  them there. Otherwise none of them counts and every file involved says why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from autograder import platforms
from autograder.platforms.base import Handed, Person, safe_id


@dataclass(frozen=True)
class Who:
    """Whom a file counts for: the resolved ``person`` (None when no one), and how."""

    person: Person | None
    via: str = (
        ""  # "roster" (by the platform's id, the course's id or the email), "name", "platform"
    )
    problem: str = ""  # why the file counts for no one
    notes: tuple[str, ...] = ()


Identity = tuple[str, str]  # (platform, user id)


def _identity(person: Person) -> Identity | None:
    return (person.platform, person.user_id) if person.user_id else None


def _title(platform: str) -> str:
    return platforms.get(platform).title


def _described(person: Person) -> str:
    shown = f" ({person.name})" if person.name else ""
    platform = platforms.get(person.platform)
    if platform.course_ids:
        return f"the student {person.user_id!r} of {platform.title}"
    return f"{platform.title} {platform.user} {person.user_id}{shown}"


def _roster_person(roster, person: Person) -> Person | None:
    """The roster person ``person`` is by an id (never by name)."""
    if roster.platform == person.platform:
        found = roster.by_user_id(person.user_id)
        if found is not None:
            return found
    if platforms.get(person.platform).course_ids:
        return roster.by_student_id(person.student_id)
    return roster.by_email(person.email) if person.email else None


def settle(handed: dict[str, Handed], roster=None) -> dict[str, Handed]:
    """Names that read as more than one person (``Handed.others``): the roster decides when it
    knows exactly one of them; otherwise the file is no one's."""
    out = dict(handed)
    for rel, h in handed.items():
        if not h.others:
            continue
        readings = [h.person, *h.others]
        known = [p for p in readings if roster is not None and _roster_person(roster, p)]
        if len(known) == 1:
            out[rel] = replace(h, person=known[0], others=())
            continue
        said = " or ".join(_described(p) for p in readings)
        out[rel] = replace(
            h,
            person=Person(),
            others=(),
            problem=(
                f"its name reads as {said}, and "
                + ("the roster knows both" if known else "no roster tells which")
                + ": give the platform's roster (--roster), or rename the file"
            ),
        )
    return out


def identify(handed: dict[str, Handed], roster=None) -> dict[Identity, Who]:
    """Every identity of the class (the files' owners and the members of their groups), resolved
    to the person it counts as."""
    seen: dict[Identity, Person] = {}
    where: dict[Identity, str] = {}  # a file of each identity, to name in reasons
    for rel, h in handed.items():
        for person in (h.person, *h.members):
            key = _identity(person)
            if key is not None and key not in seen:
                seen[key], where[key] = person, rel
    resolved: dict[Identity, Who] = {}
    by_name: dict[Identity, Person] = {}
    origin: dict[Identity, int] = {}  # the roster person each identity matched, by object
    for key, person in seen.items():
        if roster is None:
            resolved[key] = Who(person, "platform")
            continue
        found = _roster_person(roster, person)
        if found is not None:
            resolved[key] = Who(_merged(found, person), "roster")
            origin[key] = id(found)
            continue
        named = roster.by_name(person.name) if person.name else []
        title = _title(person.platform)
        if len(named) > 1:
            could = ", ".join(f"{p.name} ({p.student_id})" for p in named[:5])
            resolved[key] = Who(
                None,
                problem=(
                    f"{_described(person)} is not in the roster by id, and the roster has "
                    f"{len(named)} people of that name: {could}. Give a roster with {title}'s "
                    "user ids, and grade again"
                ),
            )
        elif named and roster.platform == person.platform and named[0].user_id:
            other = named[0]
            resolved[key] = Who(
                None,
                problem=(
                    f"{_described(person)} has the name of {other.name} ({other.student_id}), "
                    f"but the roster gives that person the {title} id {other.user_id}: a name "
                    "never makes two platform users one student. Check who handed it in, and "
                    "grade again with a roster that holds this user's id"
                ),
            )
        elif named:
            by_name[key] = named[0]
            origin[key] = id(named[0])
        else:
            resolved[key] = Who(
                person,
                "platform",
                notes=(
                    f"{_described(person)} is not in the roster: graded as {person.student_id}",
                ),
            )
    # a name is enough only if nobody else of the class is that person
    claims: dict[int, list[Identity]] = defaultdict(list)
    for key, person in origin.items():
        claims[person].append(key)
    for key, found in by_name.items():
        others = [k for k in claims[id(found)] if k != key]
        if others:
            also = ", ".join(f"{_described(seen[k])} ({where[k]})" for k in others[:3])
            resolved[key] = Who(
                None,
                problem=(
                    f"{_described(seen[key])} has the name of {found.name} ({found.student_id}), "
                    f"and so does {also}: a name never makes two platform users one student. Give "
                    f"a roster with {_title(seen[key].platform)}'s user ids, and grade again"
                ),
            )
        else:
            resolved[key] = Who(
                _merged(found, seen[key]),
                "name",
                notes=(f"{_described(seen[key])} is {found.name} of the roster, by name",),
            )
    return _final(resolved, seen, where)


def _merged(found: Person, person: Person) -> Person:
    """The roster's person, with the platform identity the file came with."""
    return replace(
        found,
        platform=person.platform,
        user_id=person.user_id,
        email=found.email or person.email,
        name=found.name or person.name,
    )


def _final(resolved: dict[Identity, Who], seen, where) -> dict[Identity, Who]:
    """Ids as ``safe_id`` makes them; identities that meet under one id are one student only
    when the roster put each of them there."""
    out: dict[Identity, Who] = {}
    groups: dict[str, list[Identity]] = defaultdict(list)
    for key, who in resolved.items():
        if who.person is None:
            out[key] = who
            continue
        student, note = safe_id(who.person.student_id)
        if not student:
            out[key] = Who(
                None,
                problem=(
                    f"{_described(seen[key])} would be student {who.person.student_id!r}, which "
                    "cannot be a student id (letters, digits, '_', '.', '-', '@'; up to 64): "
                    "choose another roster column with --roster-id, or rename it"
                ),
            )
            continue
        notes = who.notes + ((note,) if note and who.via != "platform" else ())
        out[key] = replace(who, person=replace(who.person, student_id=student), notes=notes)
        groups[student].append(key)
    for student, keys in groups.items():
        if len(keys) < 2:
            continue
        platforms_of = [k[0] for k in keys]
        same_platform = len(set(platforms_of)) < len(platforms_of)
        trusted = [k for k in keys if out[k].via == "roster"]
        if not same_platform and len(trusted) == len(keys):
            continue  # one roster person, handed in through several platforms
        losers = keys if same_platform or not trusted else [k for k in keys if k not in trusted]
        for key in losers:
            others = ", ".join(f"{_described(seen[k])} ({where[k]})" for k in keys if k != key)
            out[key] = Who(
                None,
                problem=(
                    f"{_described(seen[key])} would be student {student!r}, and so would "
                    f"{others}: two platform users never share a grade, so this file counts for "
                    "no one. Give a roster that tells them apart (--roster, --roster-id), and "
                    "grade again"
                ),
            )
    return out


__all__ = ["Who", "settle", "identify"]
