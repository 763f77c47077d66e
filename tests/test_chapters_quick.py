"""`make chapters QUICK=1` in the suite: every chapter script, run in tutorial order in its own
process, succeeds, writes its ``results.json`` and prints a clean screen (the chapter tests check
what each page measured). The pages are forked from one import of TensorFlow
(``forked_pages.py``), so the notices TensorFlow prints when it is imported are checked in fresh
processes by ``test_tf_startup.py`` instead; what TensorFlow logs while a page runs is checked
here."""

import runpy
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [f"{script.parent.name}/{script.stem}"
         for script in runpy.run_path(str(REPO / "book" / "build.py"))["all_pages"]()]
NOISE = {
    "a progress-bar frame": "\r",
    "a colour code": "\x1b[",
    "a TensorFlow C++ log line": "E0000 ",
    "a retracing warning": "triggered tf.function retracing",
    "a traceback": "Traceback (most recent call last)",
}


def test_the_pages_are_every_chapter_script():
    assert sorted(PAGES) == sorted(f"{path.parent.name}/{path.stem}"
                                   for path in (REPO / "chapters").glob("ch*_*/*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_the_page_runs_quick_with_a_clean_screen(page, quick_chapters):
    run = quick_chapters[page]
    results = run.results()
    assert results["quick"] is True and results["command"].endswith(f"{page}.py --quick")
    for what, mark in NOISE.items():
        assert mark not in run.stdout + run.stderr, f"{page} printed {what}"
