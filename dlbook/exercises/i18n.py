"""Every string the exercises print goes through gettext, domain ``exercises``.

``_("...")`` translates now; ``N_("...")`` only marks a string for the catalog (a hint or a
mistake's name defined at import), and the code that prints it translates it then, in the
language of that moment. The language is ``$DLBOOK_LANG`` (``zh_CN``...), English by default; the
catalogs go in ``dlbook/exercises/locales/<language>/LC_MESSAGES/exercises.mo``, compiled from
the ``.po`` beside it by ``python book/build.py catalogs`` and committed with it. A language
without a catalog, and a message without a translation, print English.

A Chinese character takes two columns of a terminal and a Chinese sentence has no spaces to
break at: `wrap` and `pad` lay out text by the columns it takes (English as `textwrap` does).
"""

from __future__ import annotations

import functools
import gettext
import os
import re
import textwrap
import unicodedata
from pathlib import Path

DOMAIN = "exercises"
LOCALES = Path(__file__).resolve().parent / "locales"


@functools.cache
def _translation(language: str, localedir: Path) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir, languages=[language], fallback=True)


def _(message: str) -> str:
    """``message`` in the language of ``$DLBOOK_LANG``, or as it is when there is no catalog
    (an empty one stays empty: gettext would give the catalog's header)."""
    if not message:
        return message
    language = os.environ.get("DLBOOK_LANG", "en")
    return _translation(language, LOCALES).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet."""
    return message


WIDE_RANGES = ("\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
               "\uff00-\uff60\uffe0-\uffe6")
"""The characters a terminal shows two columns wide: CJK ideographs, kana, hangul, full-width
punctuation (Unicode's East Asian Width W and F, as `columns` counts them)."""
WIDE = re.compile(f"[{WIDE_RANGES}]")
UNIT = re.compile(f"[{WIDE_RANGES}]|\\s+|[^\\s{WIDE_RANGES}]+")
"""One wide character, a run of spaces, or a run of anything else (a Latin word)."""
NO_LINE_START = "，。、：；！？）」』》〉】,.;:!?)]}"
NO_LINE_END = "（「『《〈【([{"


def columns(text: str) -> int:
    """How many columns of a terminal ``text`` takes: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` with spaces up to ``width`` columns, after it (``"<"``) or before it (``">"``)."""
    room = " " * max(width - columns(text), 0)
    return text + room if align == "<" else room + text


def _units(text: str) -> list[str]:
    """The pieces a line may break between: a wide character or a Latin word, with the
    punctuation that may not start a line glued to what precedes it, and the punctuation that
    may not end one to what follows."""
    units: list[str] = []
    for piece in UNIT.findall(text):
        glued = units and not units[-1].isspace() and not piece.isspace() and (
            piece[0] in NO_LINE_START or units[-1][-1] in NO_LINE_END)
        if glued:
            units[-1] += piece
        else:
            units.append(piece)
    return units


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces and between Chinese
    characters (a longer Latin word stays whole); text without a wide character exactly as
    `textwrap.wrap` breaks it."""
    if not WIDE.search(text):
        return textwrap.wrap(text, width, initial_indent=initial_indent,
                             subsequent_indent=subsequent_indent)
    lines, line, space = [], initial_indent, ""
    for unit in _units(text.strip()):
        if unit.isspace():
            space = " "
            continue
        if line.strip() and columns(line + space + unit) > width:
            lines.append(line)
            line, space = subsequent_indent, ""
        line += space + unit
        space = ""
    return [*lines, line]


def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """`wrap`'s lines joined."""
    return "\n".join(wrap(text, width, initial_indent, subsequent_indent))
