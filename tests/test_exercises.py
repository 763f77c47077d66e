"""The exercises' machinery: the checker (PASS, FAIL with the first failing input and the
recognised mistake, "not attempted yet"), check / hint / solution on a page, the learner's
workspace and its command line (start, check, progress), the progress file, the gettext
catalogs, and the exercise pages themselves (every exercise checked on its page, every reference
solution passing from the command line). The wrong answers of each chapter are tested in
test_exercises_chNN.py."""

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

from dlbook.exercises import api, check, hint, i18n, progress, solution
from dlbook.exercises.__main__ import main
from dlbook.exercises.catalog import CHAPTERS, UnknownExercise, chapter_exercises, find, select
from dlbook.exercises.core import FAILED, NOT_ATTEMPTED, PASSED, is_stub, run_check
from dlbook.exercises.workspace import check_workspace, run_page, start

import jupytext
import numpy as np
import pytest
from exercise_checks import solved, verdict

REPO = Path(__file__).resolve().parents[1]
ALL = select(None)


@pytest.fixture(autouse=True)
def own_workspace(tmp_path, monkeypatch):
    """Each test has its own workspace and outputs, and a fresh session of checks."""
    monkeypatch.setenv("DLBOOK_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path / "outputs"))
    monkeypatch.delenv("DLBOOK_BOOK", raising=False)
    monkeypatch.delenv("DLBOOK_LANG", raising=False)
    api.SESSION.outcomes.clear()
    api.SESSION.selected = None
    yield tmp_path / "workspace"
    api.SESSION.outcomes.clear()
    api.SESSION.selected = None


def softmax_as_written(z):
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def softmax_right(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------------------------------------------
# The checker


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.number)
def test_the_reference_solution_passes(exercise):
    outcome = run_check(exercise, exercise.reference)
    assert outcome.status == PASSED, outcome.message
    assert "PASS on all" in outcome.message


@pytest.mark.parametrize(("exercise", "mistake"), [
    (exercise, mistake) for exercise in ALL for mistake in exercise.mistakes if mistake.answer],
    ids=lambda value: getattr(value, "number", None) or getattr(value, "name", ""))
def test_each_known_mistake_is_told_apart_from_the_others(exercise, mistake):
    """The inputs tell every modelled mistake from the reference and from the other mistakes,
    by what it returns (a model that fails with an error models nothing)."""
    outcome = run_check(exercise, mistake.answer)
    assert outcome.status == FAILED and outcome.mistake == mistake.name, outcome.message
    assert "\n  raised " not in outcome.message


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.number)
def test_every_exercise_knows_at_least_three_mistakes(exercise):
    assert len({mistake.name for mistake in exercise.mistakes}) >= 3


def test_an_untouched_stub_is_not_attempted_and_counts_nothing(own_workspace):
    def with_docstring(z):
        """The softmax."""
        ...

    def with_pass(z):
        pass

    def raising(z):
        raise NotImplementedError("your code here")

    for stub in (with_docstring, with_pass, raising):
        outcome = verdict("4.1", stub)
        assert outcome.status == NOT_ATTEMPTED and "not attempted yet" in outcome.message
    check("4.1", with_docstring)
    assert not (own_workspace / "progress.json").exists()
    assert not is_stub(softmax_right) and not is_stub(len)


def test_a_failure_names_the_input_the_difference_and_the_mistake():
    outcome = verdict("4.1", softmax_as_written)
    lines = outcome.message.splitlines()
    assert lines[0].startswith("Exercise 4.1 · softmax: FAIL on input 5 of 8, large logits")
    assert lines[1].strip().startswith("z = [[ 1000.,  1001.,  1002.],")
    assert "expected [[0.09003, 0.24473, 0.66524]," in outcome.message
    assert "got      [[nan, nan, nan]," in outcome.message
    assert "first difference at [0, 0]: expected 0.09003, got nan" in outcome.message
    assert "Recognised mistake, the softmax as written: e^z overflows" in outcome.message


def test_a_part_of_a_tuple_is_named_and_an_unknown_mistake_gets_the_general_hint():
    def lstm_step(x_t, h_prev, c_prev, params):
        hx = np.concatenate([h_prev, x_t], axis=1)
        gates = {name: 1 / (1 + np.exp(-(hx @ params[f"W_{name}"].T + params[f"b_{name}"])))
                 for name in "fio"}
        c_t = gates["f"] * c_prev + gates["i"] * np.tanh(hx @ params["W_c"].T + params["b_c"])
        return gates["o"] * np.tanh(c_t), c_t + 1.0  # a mistake nobody makes

    outcome = verdict("4.7", lstm_step)
    assert outcome.status == FAILED and outcome.mistake is None
    assert "\n  C_t:\n    expected" in outcome.message
    assert "Hint: Stack hx = [h_prev, x_t]" in outcome.message


def test_an_error_in_the_learners_function_is_reported_with_its_line():
    def conv_output_size(size, kernel, stride=1, padding=0):
        positions = size - kernel
        return positions // (stride - stride) + 1

    outcome = verdict("4.3", conv_output_size)
    assert outcome.status == FAILED
    assert "raised ZeroDivisionError: integer division or modulo by zero" in outcome.message
    assert "return positions // (stride - stride) + 1)" in outcome.message


def test_a_function_that_returns_nothing_or_is_not_a_function_fails_plainly():
    def softmax(z):
        np.exp(z - z.max(axis=-1, keepdims=True))

    assert "returned None: does the function end with `return`?" in verdict(
        "4.1", softmax).message
    outcome = verdict("4.1", softmax_right(np.zeros(3)))
    assert outcome.status == FAILED and 'check("4.1", softmax)' in outcome.message


def test_integers_floats_and_shapes_are_told_apart():
    def conv_output_size(size, kernel, stride=1, padding=0):
        return (size + 2 * padding - kernel) / stride + 1

    assert "expected whole numbers (an integer type), got float64" in verdict(
        "4.3", conv_output_size).message

    def max_pool2d(x, size=2):
        return x.max(axis=(1, 2), keepdims=True)

    assert "expected shape (1, 2, 2, 1), got shape (1, 1, 1, 1)" in verdict(
        "4.5", max_pool2d).message


def test_an_unknown_exercise_is_one_line_naming_the_known_ones():
    with pytest.raises(UnknownExercise, match=r"number='4.99' is not an exercise; chapter 4 has "
                                              r"4.1 to 4.8"):
        find("4.99")
    with pytest.raises(UnknownExercise, match=r"chapter='7' has no exercises"):
        check("7.1", softmax_right)


def test_the_chapters_have_the_exercises_the_issue_asks_for():
    counts = {chapter: len(chapter_exercises(chapter)) for chapter in CHAPTERS}
    assert all(count >= 4 for count in counts.values()) and counts["4"] >= 5
    assert sum(counts.values()) >= 24
    numbers = [exercise.number for exercise in ALL]
    assert len(numbers) == len(set(numbers))


# ------------------------------------------------------------------------------------------------
# check, hint and solution on a page


def test_check_prints_the_verdict_and_counts_the_attempt(own_workspace, capsys):
    check("4.1", softmax_as_written)
    check("4.1", softmax_right)
    printed = capsys.readouterr().out
    assert "FAIL on input 5 of 8" in printed and "Exercise 4.1 · softmax: PASS" in printed
    entries = json.loads((own_workspace / "progress.json").read_text())
    assert entries["4.1"]["status"] == PASSED and entries["4.1"]["checks"] == 2
    assert [path.name for path in own_workspace.iterdir()] == ["progress.json"]  # no temp left


def test_the_solution_is_shown_after_an_attempt_or_in_the_book(capsys, monkeypatch):
    def softmax(z):
        """Not yet."""

    check("4.1", softmax)
    solution("4.1")
    printed = capsys.readouterr().out
    assert "shown after you have tried" in printed and "def softmax" not in printed
    check("4.1", softmax_as_written)
    solution("4.1")
    printed = capsys.readouterr().out
    assert "A solution to exercise 4.1:\ndef softmax(z: np.ndarray) -> np.ndarray:" in printed
    api.SESSION.outcomes.clear()
    solution("4.1")  # an attempt of an earlier session, from the progress file
    assert "def softmax" in capsys.readouterr().out
    monkeypatch.setenv("DLBOOK_BOOK", "1")
    solution("5.4")
    assert "def gan_step(" in capsys.readouterr().out


def test_hint_prints_the_exercises_hint(capsys):
    hint("3.3")
    assert capsys.readouterr().out.startswith("Hint for exercise 3.3: The global norm is sqrt")


def test_a_damaged_progress_file_does_not_stop_a_check(own_workspace, capsys):
    own_workspace.mkdir()
    (own_workspace / "progress.json").write_text("{not json")
    check("4.1", softmax_right)
    captured = capsys.readouterr()
    assert "PASS" in captured.out
    assert "(progress not saved:" in captured.err and "delete it" in captured.err
    assert main(["progress"]) == 2
    assert "exercises: error:" in capsys.readouterr().err


def test_the_messages_are_translated_by_a_catalog(tmp_path, monkeypatch):
    catalog = tmp_path / "zh_CN" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"
    catalog.parent.mkdir(parents=True)
    write_mo(catalog, {
        "{title}: FAIL on input {index} of {count}, {label}":
            "{title}：第 {index}/{count} 个输入出错，{label}",
        "the softmax as written": "照公式直接写的 softmax",
    })
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    monkeypatch.setenv("DLBOOK_LANG", "zh_CN")
    message = verdict("4.1", softmax_as_written).message
    assert "softmax：第 5/8 个输入出错" in message and "照公式直接写的 softmax" in message
    monkeypatch.setenv("DLBOOK_LANG", "fr")  # no catalog: English
    assert "FAIL on input 5 of 8" in verdict("4.1", softmax_as_written).message


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A GNU gettext catalog (.mo) of ``messages``, UTF-8."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(messages)
    ids = [key.encode() for key in keys]
    strs = [messages[key].encode() for key in keys]
    start = 7 * 4 + 16 * len(keys)
    offsets, data = [], b""
    for text in ids + strs:
        offsets.append((len(text), start + len(data)))
        data += text + b"\0"
    header = struct.pack("7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    tables = b"".join(struct.pack("2I", *pair) for pair in offsets)
    path.write_bytes(header + tables + data)


def test_the_numpy_exercises_do_not_import_tensorflow():
    """dlbook's own __init__ imports TensorFlow; the exercises of chapters 2, 3, 4, 8 and 9 never
    need it."""
    code = (
        "import sys, types\n"
        f"package = types.ModuleType('dlbook'); package.__path__ = [{str(REPO / 'dlbook')!r}]\n"
        "sys.modules['dlbook'] = package\n"
        "from dlbook.exercises.catalog import chapter_exercises\n"
        "from dlbook.exercises.core import run_check\n"
        "for chapter in '23489':\n"
        "    for exercise in chapter_exercises(chapter):\n"
        "        assert run_check(exercise, exercise.reference).status == 'passed'\n"
        "print(sorted(name for name in ('tensorflow', 'keras') if name in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------------------
# The pages and the workspace


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_page_checks_each_exercise_once_on_its_untouched_stub(chapter, own_workspace,
                                                                   capsys):
    start()
    page = own_workspace / CHAPTERS[chapter][0] / "exercises.py"
    api.SESSION.selected = {exercise.number for exercise in chapter_exercises(chapter)}
    assert run_page(page) == 0, capsys.readouterr().out
    printed = capsys.readouterr().out
    for exercise in chapter_exercises(chapter):
        assert api.SESSION.outcomes[exercise.number].status == NOT_ATTEMPTED
        assert printed.count(f"Exercise {exercise.number} · {exercise.function}: not attempted "
                             "yet") == 1
        assert f'check("{exercise.number}", {exercise.function})' in page.read_text()
    assert set(api.SESSION.outcomes) == api.SESSION.selected


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_make_check_of_the_reference_solutions_passes(chapter, own_workspace, capsys):
    start()
    page = own_workspace / CHAPTERS[chapter][0] / "exercises.py"
    page.write_text(solved(page.read_text(), chapter))
    assert check_workspace(chapter) is True, capsys.readouterr().out
    count = len(chapter_exercises(chapter))
    assert capsys.readouterr().out.endswith(f"{count} of {count} passed\n")


def test_start_copies_the_pages_and_never_overwrites_the_learners_work(own_workspace, capsys):
    assert main(["start"]) == 0
    pages = sorted(own_workspace.glob("*/exercises.py"))
    assert [page.parent.name for page in pages] == [folder for folder, _ in CHAPTERS.values()]
    mine = own_workspace / "ch04_math" / "exercises.py"
    mine.write_text(mine.read_text().replace("    ...\n", "    return 42\n", 1))
    edited = mine.read_text()
    assert main(["start"]) == 0
    assert mine.read_text() == edited
    assert "kept as it is (your work is never overwritten)" in capsys.readouterr().out
    assert not [path for path in own_workspace.rglob("*") if path.name.endswith(".tmp")]


def test_start_works_where_hard_links_do_not(own_workspace, monkeypatch):
    def no_links(source, target):
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    assert all(created for _, created in start())
    mine = own_workspace / "ch09_faq" / "exercises.py"
    mine.write_text("mine")
    assert not any(created for _, created in start()) and mine.read_text() == "mine"


def test_make_check_exit_status_is_zero_only_when_every_check_passes(own_workspace, capsys):
    assert main(["check"]) == 2
    assert "no workspace at" in capsys.readouterr().err
    start()
    assert main(["check", "9.3"]) == 1
    assert "0 of 1 passed" in capsys.readouterr().out
    page = own_workspace / "ch09_faq" / "exercises.py"
    page.write_text(solved(page.read_text(), "9"))
    assert main(["check", "9.3"]) == 0
    assert main(["check", "9"]) == 0
    printed = capsys.readouterr().out
    assert "Exercise 9.1" not in printed.split("1 of 1 passed")[0]  # 9.3 alone, then chapter 9
    assert printed.endswith("4 of 4 passed\n")
    assert main(["check", "9.9"]) == 2
    assert "number='9.9' is not an exercise" in capsys.readouterr().err


def test_a_failing_cell_is_one_line_and_the_next_cells_run(own_workspace, capsys):
    start()
    page = own_workspace / "ch09_faq" / "exercises.py"
    text = solved(page.read_text(), "9").replace('check("9.2", chain_gradient)',
                                                 'check("9.2", chain_gradient)\n1 / 0')
    page.write_text(text)
    assert check_workspace("9") is True  # the checks of the failing cell ran before it failed
    printed = capsys.readouterr().out
    line = text[: text.index("1 / 0")].count("\n") + 1
    assert f"{page}, line {line}: ZeroDivisionError: division by zero" in printed
    assert "Exercise 9.4 · translate: PASS" in printed


def test_a_missing_check_is_reported(own_workspace, capsys):
    start()
    page = own_workspace / "ch09_faq" / "exercises.py"
    page.write_text(solved(page.read_text(), "9").replace('check("9.4", translate)', ""))
    assert check_workspace("9") is False
    assert 'Exercise 9.4 · translate: not checked: no check("9.4", translate) ran on the page' in (
        capsys.readouterr().out)


def test_a_notebook_newer_than_the_script_is_the_one_checked(own_workspace):
    start()
    script = own_workspace / "ch08_trends" / "exercises.py"
    notebook = jupytext.reads(solved(script.read_text(), "8"), fmt="py:percent")
    notebook.cells[1].source = "%matplotlib inline\n" + notebook.cells[1].source  # a magic
    jupytext.write(notebook, script.with_suffix(".ipynb"))
    os.utime(script, (1, 1))
    assert check_workspace("8") is True
    os.utime(script.with_suffix(".ipynb"), (0, 0))
    assert check_workspace("8") is False


def test_make_progress_counts_passed_tried_and_not_started(capsys):
    check("2.1", lambda w, b, x, y, rate: (w, b))
    check("4.1", softmax_right)
    assert main(["progress"]) == 0
    table = capsys.readouterr().out.splitlines()[-9:]
    assert table[0].split() == ["chapter", "exercises", "passed", "tried", "not", "started"]
    assert table[1].split()[-4:] == ["5", "0", "1", "4"]  # chapter 2
    assert table[3].split()[-4:] == ["8", "1", "0", "7"]  # chapter 4
    assert table[7].split() == ["total", "31", "1", "1", "29"]
    assert table[8] == "next: exercise 2.1"
    assert progress.load()["2.1"]["status"] == FAILED
