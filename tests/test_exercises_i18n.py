"""What the exercises print, in Chinese (issue 23 item 4, issue 24 item 5): every message of
dlbook/exercises translated from its current English, keeping its placeholders, code and numbers;
the compiled catalog the package reads is the translated one; a changed hint makes the catalog
stale; a learner's check reads in Chinese, laid out by the columns a Chinese character takes."""

import gettext
import shutil
import sys
import textwrap
from fnmatch import fnmatch
from pathlib import Path

from dlbook.exercises import progress
from dlbook.exercises.catalog import find
from dlbook.exercises.core import WIDTH, run_check
from dlbook.exercises.i18n import _, columns, pad, wrap

import numpy as np
import tomllib

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "book"))

import catalogs  # noqa: E402
import terms  # noqa: E402

LANGUAGE = "zh_CN"
CATALOG = catalogs.code_catalog_path(LANGUAGE)
SOFTMAX_HINT = ("Each row of scores (the last axis) becomes its own distribution: e^z divided by "
                "the row's sum of e^z.")


def untranslated(package: Path = catalogs.EXERCISES) -> list[str]:
    """What keeps the package's catalog from being a whole translation of what its code prints
    today: messages without a translation, fuzzy ones, an English revision not recorded."""
    path = catalogs.code_catalog_path(LANGUAGE, package)
    status = catalogs.page_status(package.name, catalogs.code_messages(package),
                                  catalogs.read_catalog(path))
    problems = [f"no translation: {msgid!r}" for msgid in status.missing]
    problems += [f"fuzzy (its English changed): {msgid!r}" for msgid in status.fuzzy]
    if not problems and status.translated != status.revision:
        problems.append(f"translated from English revision {status.translated}, the English is "
                        f"{status.revision} now")
    return problems


def translations(path: Path = CATALOG) -> dict[str, str]:
    return {message.id: message.string for message in catalogs.messages(catalogs.read_catalog(path))
            if message.string and not message.fuzzy}


def test_every_message_the_exercises_print_is_translated_from_its_current_english():
    """A new or changed message of dlbook/exercises fails here until it is translated."""
    problems = untranslated()
    assert not problems, (f"{CATALOG.relative_to(REPO)}: run `python book/build.py catalogs` and "
                          "translate:\n" + "\n".join(problems))


def test_every_translation_keeps_its_placeholders_code_and_numbers():
    problems = [f"{msgid[:50]!r}: {problem}" for msgid, msgstr in translations().items()
                for problem in catalogs.code_message_problems(msgid, msgstr)]
    assert not problems, "\n".join(problems)


def test_what_a_printed_translation_must_keep():
    english = "{title}: PASS on all {count} inputs ({tolerance}), rtol {rtol:g}, `return` 1e-7"
    faithful = ("{title}：PASS，全部 {count} 个输入都通过（{tolerance}），rtol {rtol:g}，"
                "`return` 1e-7")
    assert catalogs.code_message_problems(english, faithful) == []
    for broken, kind in [(faithful.replace("{count}", "{n}"), "placeholders"),
                         (faithful.replace("{rtol:g}", "{rtol}"), "placeholders"),
                         (faithful.replace("`return`", "return"), "inline code"),
                         (faithful.replace("1e-7", "1e-8"), "numbers")]:
        assert [problem.split(":")[0] for problem in
                catalogs.code_message_problems(english, broken)] == [kind]


def test_the_translations_use_the_glossarys_wording():
    """Where the articles have two wordings of a term, the glossary's own (交叉熵, not
    交叉熵损失)."""
    others = {word: term.zh for term in terms.load_terms() for word in term.wordings
              if word != term.zh}
    found = [f"{msgstr[:40]!r}: {word} (the glossary writes {others[word]})"
             for msgstr in translations().values() for word in others if word in msgstr]
    assert not found, "\n".join(found)


def test_the_compiled_catalog_is_the_translated_one():
    """The package reads the .mo: it must say what the .po says (`book/build.py catalogs`
    compiles it), and the install must ship it."""
    with open(CATALOG.with_suffix(".mo"), "rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = [msgid for msgid, msgstr in translations().items()
             if compiled.gettext(msgid) != msgstr]
    assert not stale, f"{len(stale)} messages differ from the .po; run `python book/build.py " \
                      f"catalogs`: {stale[:3]}"
    shipped = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["dlbook.exercises"]
    inside = CATALOG.with_suffix(".mo").relative_to(catalogs.EXERCISES).as_posix()
    assert any(fnmatch(inside, pattern) for pattern in shipped)


def test_a_changed_hint_makes_the_catalog_stale(tmp_path):
    """One English hint changed: the check above fails, naming it; `catalogs` keeps the old
    Chinese marked fuzzy with its old English, and the compiled catalog leaves it out, so that
    the learner reads the new English rather than a translation of the old."""
    package = tmp_path / "exercises"
    shutil.copytree(catalogs.EXERCISES, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert untranslated(package) == []
    module = package / "ch04.py"
    source = module.read_text()
    old_hint = next(msgid for msgid in translations() if msgid.startswith(SOFTMAX_HINT))
    new_hint = old_hint.replace("Each row of scores", "Every row of scores")
    assert "Each row of scores (the last axis)" in source
    module.write_text(source.replace("Each row of scores (the last axis)",
                                     "Every row of scores (the last axis)"))
    assert untranslated(package) == [f"no translation: {new_hint!r}"]
    catalogs.update_code(LANGUAGE, package)
    assert untranslated(package) == [f"fuzzy (its English changed): {new_hint!r}"]
    path = catalogs.code_catalog_path(LANGUAGE, package)
    fuzzy = catalogs.read_catalog(path).get(new_hint)
    assert fuzzy.string == translations()[old_hint]
    assert catalogs.split_old_english(fuzzy) == ([], old_hint)
    with open(path.with_suffix(".mo"), "rb") as file:
        assert gettext.GNUTranslations(file).gettext(new_hint) == new_hint


def softmax_as_written(z):
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def test_a_learner_reads_the_check_in_chinese(monkeypatch):
    monkeypatch.setenv("DLBOOK_LANG", LANGUAGE)
    chinese = run_check(find("4.1"), softmax_as_written).message
    assert chinese.startswith("练习 4.1 · softmax：FAIL，8 个输入中的第 5 个出错，很大的 logits")
    assert "认出了错误「照公式直接写的 softmax」：z 大于约 709 时 e^z 会溢出成 inf" in chinese
    assert "期望值" in chinese and "实际值" in chinese
    assert all(columns(line) <= WIDTH for line in chinese.splitlines()[1:])
    unclipped = run_check(find("3.3"), lambda gradients, clip_norm: (
        gradients, float(np.sqrt(sum(np.sum(g**2) for g in gradients))))).message
    assert "\n  裁剪后的梯度[0]：\n    期望值   [[" in unclipped  # a part's name, translated
    assert _("") == ""  # not the catalog's header, which gettext gives for ""
    monkeypatch.setenv("DLBOOK_LANG", "en")
    assert "FAIL on input 5 of 8" in run_check(find("4.1"), softmax_as_written).message


def test_chinese_text_wraps_by_columns_and_english_as_textwrap_does():
    chinese = ("练习 4.1 · softmax：还没有作答（函数体仍是 `...`）：先把函数写好，再运行一次这个"
               "检查；hint(\"4.1\") 会给出提示，keepdims=True 不会被拆开。")
    lines = wrap(chinese, 30, initial_indent="  ", subsequent_indent="    ")
    assert len(lines) > 3 and all(columns(line) <= 30 for line in lines)
    assert "".join(line.strip() for line in lines).replace(" ", "") == chinese.replace(" ", "")
    assert not any(line.strip()[0] in "，。：；）" for line in lines)
    assert any("keepdims=True" in line for line in lines)
    english = "the loss is the mean over the batch, not the sum: divide by the number of examples"
    assert wrap(english, 30, "  ", "    ") == textwrap.wrap(english, 30, initial_indent="  ",
                                                          subsequent_indent="    ")
    assert pad("已通过", 11, ">") == "     已通过" and columns(pad("章", 5)) == 5


def test_the_progress_table_lines_up_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("DLBOOK_LANG", LANGUAGE)
    progress.record("4.1", "passed")
    table = progress.table().splitlines()
    assert table[0].split() == ["章", "练习", "已通过", "尝试过", "未开始"]
    assert "4 数学模型与公式" in table[3] and table[-1] == "下一道：练习 2.1"
    assert len({columns(line) for line in table[:-1]}) == 1, "\n".join(table)
