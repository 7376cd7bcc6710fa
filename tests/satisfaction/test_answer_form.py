"""Pure tests of satisfaction.answer_form: the answer page's POST read into
typed answers, with the messages the client reads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from satisfaction.answer_form import PageSubmission, parse_answers
from satisfaction.errors import AnswersRefusedError
from satisfaction.models import QuestionType


@dataclass(frozen=True)
class _Question:
    id: int
    type: QuestionType
    options: tuple[object, ...] = ()
    is_required: bool = True


QUESTIONS = [
    _Question(1, QuestionType.NPS),
    _Question(2, QuestionType.MULTIPLE_CHOICE, options=("a", "b", "c")),
    _Question(3, QuestionType.TEXT, is_required=False),
    _Question(4, QuestionType.YES_NO),
]


def test_a_page_post_is_read_with_its_button_page_and_consent() -> None:
    sent = PageSubmission.from_form(
        MultiDict(
            [
                ("page", "2"),
                ("action", "submit"),
                ("q2", "0"),
                ("q2", "2"),
                ("share_with_board", "1"),
            ]
        )
    )
    assert sent.page == 2
    assert sent.action == "submit"
    assert sent.requires_answers
    assert sent.share_with_board
    assert sent.values["q2"] == ["0", "2"]


def test_a_post_without_button_goes_on_from_page_one() -> None:
    sent = PageSubmission.from_form(MultiDict([("page", "x")]))
    assert (sent.page, sent.action, sent.share_with_board) == (1, "next", False)
    assert (
        PageSubmission.from_form(MultiDict([("action", "save")])).requires_answers
        is False
    )


def test_answers_are_typed_and_empty_ones_are_none() -> None:
    parsed = parse_answers(
        QUESTIONS,
        {"q1": [" 9 "], "q2": ["2", "0", "2"], "q3": ["  "], "q4": ["0"]},
        require=True,
    )
    assert parsed == {
        1: {"value": 9},
        2: {"choices": [0, 2]},
        3: None,
        4: {"value": 0},
    }


def test_refused_answers_name_each_question(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(AnswersRefusedError) as caught:
        parse_answers(
            QUESTIONS,
            {"q1": ["11"], "q2": ["5"], "q3": ["x" * 5001]},
            require=True,
        )
    with app.test_request_context():
        messages = {qid: str(m) for qid, m in caught.value.errors.items()}
    assert set(messages) == {1, 2, 3, 4}
    assert messages[2] == "Choix invalide."
    assert messages[3] == "Pas plus de 5000 caractères."
    assert messages[4] == "Cette question demande une réponse."


def test_saving_without_going_on_lets_required_questions_empty() -> None:
    assert parse_answers(QUESTIONS, {}, require=False) == {
        1: None,
        2: None,
        3: None,
        4: None,
    }
