"""What the exercises print, in Chinese (issue 23 item 4, issue 24 item 5): translations that keep
their placeholders, code and numbers, laid out by the columns a Chinese character takes."""

import sys
import textwrap
from pathlib import Path

from dlbook.exercises.i18n import columns, pad, wrap

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "book"))

import catalogs  # noqa: E402


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
