"""Every string the exercises print goes through gettext, domain ``exercises``.

``_("...")`` translates now; ``N_("...")`` only marks a string for the catalog (a hint or a
mistake's name defined at import), and the code that prints it translates it then, in the
language of that moment. The language is ``$DLBOOK_LANG`` (``zh_CN``...), English by default; the
catalogs go in ``dlbook/exercises/locales/<language>/LC_MESSAGES/exercises.mo``. A language
without a catalog prints English.
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

DOMAIN = "exercises"
LOCALES = Path(__file__).resolve().parent / "locales"


@functools.cache
def _translation(language: str, localedir: Path) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir, languages=[language], fallback=True)


def _(message: str) -> str:
    """``message`` in the language of ``$DLBOOK_LANG``, or as it is when there is no catalog."""
    language = os.environ.get("DLBOOK_LANG", "en")
    return _translation(language, LOCALES).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet."""
    return message
