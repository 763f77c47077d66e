"""Which exercises there are, and where their pages are.

One module per chapter (``dlbook.exercises.ch04``...) holds a list ``EXERCISES``; it is imported
when one of its exercises is asked for (chapter 5's imports TensorFlow, the others NumPy only).
The page of chapter 4's exercises is ``chapters/ch04_math/exercises.py``; the learner's copy is
``workspace/ch04_math/exercises.py``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from dlbook.errors import DlbookError
from dlbook.exercises.core import Exercise
from dlbook.exercises.i18n import N_, _

CHAPTERS = {
    "2": ("ch02_concepts", N_("Core concepts")),
    "3": ("ch03_algorithm", N_("The algorithm, step by step")),
    "4": ("ch04_math", N_("Mathematical models and formulas")),
    "5": ("ch05_practice", N_("Code practice")),
    "8": ("ch08_trends", N_("Trends: efficiency and scale")),
    "9": ("ch09_faq", N_("Questions and answers")),
}
"""Each chapter with exercises: its folder under ``chapters/`` and its title."""

REPO = Path(__file__).resolve().parents[2]
PAGE = "exercises.py"


def source_page(chapter: str) -> Path:
    """The exercise page of ``chapter`` in the repository."""
    return REPO / "chapters" / CHAPTERS[chapter][0] / PAGE


def workspace_dir() -> Path:
    """The learner's folder: ``$DLBOOK_WORKSPACE``, else the repository's ``workspace/`` (git
    ignores it), else ``./workspace``."""
    if env := os.environ.get("DLBOOK_WORKSPACE"):
        return Path(env).expanduser()
    if (REPO / "pyproject.toml").is_file():
        return REPO / "workspace"
    return Path("workspace")


class UnknownExercise(DlbookError):
    """An exercise number that no chapter has."""


def chapter_exercises(chapter: str) -> list[Exercise]:
    """The exercises of a chapter (``"4"``), in order."""
    if chapter not in CHAPTERS:
        raise UnknownExercise(_("chapter={chapter!r} has no exercises; the chapters with "
                                "exercises are {chapters}").format(
            chapter=chapter, chapters=", ".join(CHAPTERS)))
    module = importlib.import_module(f"dlbook.exercises.ch{int(chapter):02d}")
    return list(module.EXERCISES)


def find(number: str) -> Exercise:
    """The exercise numbered ``number`` (``"4.2"``)."""
    number = str(number)
    exercises = chapter_exercises(number.split(".")[0])
    for exercise in exercises:
        if exercise.number == number:
            return exercise
    raise UnknownExercise(_("number={number!r} is not an exercise; chapter {chapter} has {first} "
                            "to {last}").format(number=number, chapter=exercises[0].chapter,
                                                first=exercises[0].number,
                                                last=exercises[-1].number))


def select(selection: str | None) -> list[Exercise]:
    """Every exercise (``None``), a chapter's (``"4"``) or one (``"4.2"``)."""
    if not selection:
        return [exercise for chapter in CHAPTERS for exercise in chapter_exercises(chapter)]
    if "." in selection:
        return [find(selection)]
    return chapter_exercises(selection)
