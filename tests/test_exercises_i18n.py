"""What the exercises print, in Chinese (issue 23 item 4, issue 24 item 5): laid out by the
columns a Chinese character takes."""

import textwrap

from dlbook.exercises.i18n import columns, pad, wrap


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
