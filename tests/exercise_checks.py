"""Shared by the exercise tests: a check's verdict in one call, the assertion that a wrong answer
fails with the hint of its own mistake, and a chapter's page with every stub replaced by the
reference solution (the page of a learner who has solved everything)."""

import ast
import inspect
import textwrap

from dlbook.exercises.catalog import chapter_exercises, find
from dlbook.exercises.core import FAILED, Outcome, run_check

import pytest


def verdict(number: str, function) -> Outcome:
    return run_check(find(number), function)


def assert_fails_with(number: str, function, mistake: str) -> None:
    """The check of ``function`` fails, recognises ``mistake`` and prints its hint."""
    outcome = verdict(number, function)
    assert outcome.status == FAILED, f"{number}: a wrong answer passed:\n{outcome.message}"
    assert outcome.mistake == mistake, (
        f"{number}: expected the mistake {mistake!r}, got {outcome.mistake!r}:\n{outcome.message}")
    hint = next(m.hint for m in find(number).mistakes if m.name == mistake)
    assert " ".join(hint.split()) in " ".join(outcome.message.split())


def assert_three_mistakes_covered(wrong: dict[str, list], chapter: str) -> None:
    """Every exercise of ``chapter`` has at least three wrong variants with three hints."""
    for exercise in chapter_exercises(chapter):
        mistakes = {mistake for _, mistake in wrong.get(exercise.number, [])}
        assert len(mistakes) >= 3, f"{exercise.number}: {len(mistakes)} mistakes tested"


def wrong_answer_tests(wrong: dict[str, list], chapter: str) -> tuple:
    """The two tests of a chapter's table of wrong answers ``{number: [(function, mistake)]}``:
    each fails with its mistake's hint, and every exercise has three of them."""

    @pytest.mark.parametrize(("number", "function", "mistake"),
                             [(number, function, mistake) for number, cases in wrong.items()
                              for function, mistake in cases],
                             ids=lambda value: getattr(value, "__name__", str(value)))
    def test_a_wrong_answer_fails_with_the_hint_of_its_mistake(number, function, mistake):
        assert_fails_with(number, function, mistake)

    def test_every_exercise_has_three_wrong_answers_with_their_own_hints():
        assert_three_mistakes_covered(wrong, chapter)

    return (test_a_wrong_answer_fails_with_the_hint_of_its_mistake,
            test_every_exercise_has_three_wrong_answers_with_their_own_hints)


def solved(page: str, chapter: str) -> str:
    """``page`` with each exercise's stub replaced by the source of its reference solution."""
    lines = page.splitlines(keepends=True)
    stubs = {node.name: node for node in ast.parse(page).body
             if isinstance(node, ast.FunctionDef)}
    for exercise in sorted(chapter_exercises(chapter),
                           key=lambda e: stubs[e.function].lineno, reverse=True):
        stub = stubs[exercise.function]
        source = textwrap.dedent(inspect.getsource(exercise.reference))
        lines[stub.lineno - 1 : stub.end_lineno] = [source]
    return "".join(lines)
