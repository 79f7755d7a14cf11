"""The "Think about it" questions: a check cell for every question with a number or a choice
as its answer (labs/questions.py, keyed by autograder/answers/<lab>.py), and a model answer
for every question in the instructor's notebook, none in the release."""

import ast
import json
import re

import pytest
from conftest import COURSE, LABS
from scratch import load_module

from autograder import answers, notebooks
from autograder.authoring import helpers

pytestmark = pytest.mark.parametrize("lab", LABS)

ITEM = re.compile(r"^(\d+)\. ", re.M)


def _module(lab):
    """labs/questions.py as the lab's assignment folder carries it (with its questions.json)."""
    path = COURSE.source_path(lab).parent / "labs" / "questions.py"
    return load_module(f"questions_{lab}", path)


def _checks(nb) -> dict[int, list[str]]:
    """The check cells, ``questions.check(N, a=None, ...)``: N -> the names asked for, each
    with the value None."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "questions.check(" not in cell.source:
            continue
        call = ast.parse(cell.source).body[-1].value
        assert all(
            isinstance(k.value, ast.Constant) and k.value.value is None for k in call.keywords
        )
        found[call.args[0].value] = [k.arg for k in call.keywords]
        assert "question" in cell.metadata.get("tags", []) and "experiment" in cell.metadata.tags
    return found


def _questions(nb) -> tuple[set, set]:
    """The numbers of the questions the notebook asks, and of those it answers in model-answer
    regions (the 'Last question' counts as 0)."""
    begin, end = answers.MODEL_ANSWERS
    asked, answered = set(), set()
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text, _, rest = cell.source.partition(begin)
        region = rest.partition(end)[0]
        if "**Think about it.**" in text:
            asked |= {int(n) for n in ITEM.findall(text.split("**Think about it.**", 1)[1])}
        if "**Last question.**" in text:
            asked.add(0)
            if region:
                answered.add(0)
        answered |= {int(n) for n in ITEM.findall(region)}
    return asked, answered


def test_every_question_has_a_model_answer_in_the_source_and_none_in_the_release(lab):
    asked, answered = _questions(notebooks.read(COURSE.source_path(lab)))
    assert asked and asked == answered
    release = notebooks.read(COURSE.release_path(lab))
    assert _questions(release)[1] == set()
    text = COURSE.release_path(lab).read_text()
    assert "MARK SCHEME" not in text and "Model answers" not in text


def test_every_checked_question_has_its_key_and_a_check_cell_in_the_release(lab):
    key = {q.number: [f.name for f in q.fields] for q in answers.key(lab)}
    assert key, "a lab without checkable questions"
    asked, _ = _questions(notebooks.read(COURSE.source_path(lab)))
    assert set(key) <= asked
    assert _checks(notebooks.read(COURSE.source_path(lab))) == key
    assert _checks(notebooks.read(COURSE.release_path(lab))) == key


def test_a_check_says_right_for_the_key_and_names_each_known_slip(lab, capsys):
    questions = _module(lab)
    for q in answers.key(lab):
        right = {f.name: f.value for f in q.fields}
        questions.check(q.number, **right)
        assert capsys.readouterr().out == f"Question {q.number}: right. {q.why}\n"
        questions.check(q.number, **{**right, q.fields[0].name: None})
        assert "replace None" in capsys.readouterr().out
        for f in q.fields:
            # every way of writing the right answer is right: as text, and its other names
            others = list(f.same) + ([f" {f.value} "] if f.decimals is not None else [])
            others += [str(f.value).upper()] if f.decimals is None else []
            for other in others:
                questions.check(q.number, **{**right, f.name: other})
                assert capsys.readouterr().out.startswith(f"Question {q.number}: right."), other
            for value, said in f.slips.items():
                questions.check(q.number, **{**right, f.name: value})
                out = capsys.readouterr().out
                assert f"{f.name} not yet" in out and said in out, (q.number, f.name, value)
            wrong = "no such option" if f.decimals is None else f.value * 7 + 1234.5
            questions.check(q.number, **{**right, f.name: wrong})
            out = capsys.readouterr().out
            assert f.nudge in out and "right." not in out and q.why not in out


def test_numbers_written_as_text_or_fractions_are_numbers(lab):
    number = _module(lab).number
    assert number("1/3") == pytest.approx(1 / 3) and number(" 2 / 5 ") == 0.4
    assert number("0.08") == 0.08 and number(3) == 3.0 and number("8e-2") == 0.08
    assert number("1/0") is None and number("nan") is None and number("eight") is None
    assert number(None) is None and number("1/2/3") is None


def test_the_answers_are_not_in_the_clear_in_the_assignment_folder(lab):
    """The key holds hashes; the explanation shown for right answers is encrypted with them."""
    text = (COURSE.source_path(lab).parent / "labs" / "questions.json").read_text()
    given = " ".join(c.source for c in notebooks.read(COURSE.release_path(lab)).cells)
    questions = _module(lab)
    for q in answers.key(lab):
        assert q.why not in text and q.why[:30] not in text
        for f in q.fields:
            shown = questions.canonical(f.value, f.decimals)
            if re.search(rf"\b{re.escape(shown)}\b", given):
                continue  # the question itself states it (20 epochs, 20 steps)
            assert not re.search(rf"(?<![0-9a-f.]){re.escape(shown)}(?![0-9a-f])", text), shown
    assert json.loads(text)["lab"] == lab
    assert helpers.stale(lab, COURSE) == []


def test_other_names_of_a_choice_are_right_and_stay_hidden(lab, tmp_path, monkeypatch, capsys):
    question = answers.Question(
        1, (answers.Field("which", "gradient descent", None, "No.", same=("SGD",)),), "Why."
    )
    monkeypatch.setattr(answers, "key", lambda _lab: [question])
    text = answers.key_json("some_lab")
    assert "gradient" not in text.lower() and "sgd" not in text.lower()
    (tmp_path / "questions.json").write_text(text)
    questions = _module(lab)
    monkeypatch.setattr(questions, "_KEY", tmp_path / "questions.json")
    for said, verdict in [("SGD", "right."), (" s g d", "right."), ("Adam", "not yet")]:
        questions.check(1, which=said)
        assert verdict in capsys.readouterr().out, said
