"""The message catalogs of the book's translations: one ``.po`` file per page (gettext, babel).

Sphinx's gettext builder extracts a page's English messages (headings, paragraphs, list items,
table cells, as the Markdown writes them, inline code and ``$math$`` included) into a template,
``<page>.pot``. `update` merges each template into the page's catalog,
``book/locales/<language>/LC_MESSAGES/<page>.po``, where ``<page>`` is the page's path in the
book: ``chapters/ch04_math/pooling``, ``chapters/ch04_math/index`` (the chapter's README),
``index``, ``glossary``, and ``sphinx`` for the messages of the book's templates. A new English
message arrives empty; a changed one keeps its old translation marked fuzzy, for a translator to
check. The benchmark tables (``results/``, written by ``make bench``) stay in English.

The English revision of a page is 12 hex digits of SHA-256 over its messages that need a
translation, in document order (a table cell that is only a number changes no revision).
A catalog records, in its ``Project-Id-Version`` header (``dlbook <revision>``), the last revision
it was wholly translated from: `update` writes it when every message that needs one has a
translation that is not fuzzy. The Chinese page's footer shows it, and the tests compare it with
the English of the day.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from markdown_messages import unrendered_emphasis

LOCALES = Path(__file__).with_name("locales")
UNTRANSLATED_PAGES = re.compile(r"results/")
"""Pages without a catalog: the benchmark tables, which `make bench` rewrites."""
NEVER = "-"
"""The recorded revision of a catalog never wholly translated."""
OLD_ENGLISH = "translated from the English: "
"""The comment of a fuzzy translation that gives the English it was made from."""

CODE = re.compile(r"`+[^`]+?`+")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)
LINK = re.compile(r"\]\(([^)\s]+)[^)]*\)|<(https?://[^>]+)>|(?<![(<\w])(https?://[^\s)>]+)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def english_revision(messages: Iterable[str]) -> str:
    """12 hex digits of SHA-256 over ``messages``, in order: the revision of a page's English."""
    return hashlib.sha256("\n".join(messages).encode()).hexdigest()[:12]


def prose(message: str) -> str:
    """The message without its inline code, math and link targets."""
    for pattern in (CODE, MATH, LINK):
        message = pattern.sub(" ", message)
    return message


def needs_translation(msgid: str) -> bool:
    """Whether a message has English words outside its code, math and links: a table cell
    "4,232" or "`Conv2D`", or a seed's heading cited as it is (§4 数学模型和公式详细讲解举例说明),
    reads the same in the Chinese edition."""
    return ENGLISH_WORD.search(prose(msgid)) is not None


def preserved(message: str) -> dict[str, Counter]:
    """What a translation keeps as it is: inline code spans, math, link targets, numbers."""
    links = ["".join(groups) for groups in LINK.findall(CODE.sub(" ", message))]
    numbers = NUMBER.findall(prose(message))
    return {"inline code": Counter(CODE.findall(message)),
            "math": Counter(MATH.findall(CODE.sub(" ", message))),
            "links": Counter(links),
            "numbers": Counter(number.replace(",", "") for number in numbers)}


def preservation_problems(msgid: str, msgstr: str) -> list[str]:
    """How ``msgstr`` fails to keep what ``msgid`` has to keep, or breaks its Markdown; empty
    when it keeps it all."""
    problems = []
    english, translated = preserved(msgid), preserved(msgstr)
    for kind, wanted in english.items():
        if wanted != translated[kind]:
            lost = sorted((wanted - translated[kind]).elements())
            added = sorted((translated[kind] - wanted).elements())
            problems.append(f"{kind}: lost {lost}, added {added}")
    if "\n" in msgstr and "\n" not in msgid:
        problems.append("a line break the English does not have")
    if unrendered_emphasis(msgstr) and not unrendered_emphasis(msgid):
        problems.append("** or __ that Markdown shows as it is, next to a punctuation mark "
                        "(write 《**书名**》, not **《书名》**)")
    return problems


@dataclass
class PageStatus:
    """How far a page's catalog is translated, and from which revision of its English."""

    page: str
    revision: str
    translated: str | None
    """The last English revision the catalog was wholly translated from (None: never)."""
    total: int
    missing: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)

    @property
    def untranslated(self) -> int:
        return len(self.missing) + len(self.fuzzy)

    @property
    def current(self) -> bool:
        return not self.untranslated and self.translated == self.revision

    def for_footer(self) -> dict:
        return {"revision": self.revision, "translated": self.translated, "current": self.current,
                "untranslated": self.untranslated, "total": self.total}


def page_of(template: Path, pot_dir: Path) -> str:
    return template.relative_to(pot_dir).with_suffix("").as_posix()


def read_templates(pot_dir: Path) -> dict[str, Catalog]:
    """The English messages of each page that has a catalog, from Sphinx's gettext output."""
    templates = {}
    for path in sorted(pot_dir.rglob("*.pot")):
        page = page_of(path, pot_dir)
        if not UNTRANSLATED_PAGES.match(page):
            with open(path, "rb") as file:
                templates[page] = read_po(file)
    return templates


def catalog_path(language: str, page: str, locales: Path = LOCALES) -> Path:
    return locales / language / "LC_MESSAGES" / f"{page}.po"


def read_catalog(path: Path) -> Catalog | None:
    if not path.is_file():
        return None
    with open(path, "rb") as file:
        return read_po(file)


def messages(catalog: Catalog) -> list:
    """The catalog's messages in document order, without its header."""
    return [message for message in catalog if message.id]


def page_status(page: str, template: Catalog, catalog: Catalog | None) -> PageStatus:
    english = [message.id for message in messages(template) if needs_translation(message.id)]
    recorded = catalog.version if catalog is not None else NEVER
    status = PageStatus(page, english_revision(english),
                        None if recorded in (NEVER, "", None) else recorded, len(english))
    for msgid in english:
        message = catalog.get(msgid) if catalog is not None else None
        if message is None or not message.string:
            status.missing.append(msgid)
        elif message.fuzzy:
            status.fuzzy.append(msgid)
    return status


def status(pot_dir: Path, language: str, locales: Path = LOCALES) -> dict[str, PageStatus]:
    """Each page's translation status against the English extracted into ``pot_dir``."""
    return {page: page_status(page, template, read_catalog(catalog_path(language, page, locales)))
            for page, template in read_templates(pot_dir).items()}


def serialized(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=0, no_location=True)
    return out.getvalue()


def new_catalog(page: str, language: str, template: Catalog) -> Catalog:
    catalog = Catalog(locale=language, project="dlbook", version=NEVER,
                      creation_date=template.creation_date, fuzzy=False,
                      copyright_holder="the dlbook maintainers",
                      last_translator="the dlbook maintainers", language_team="dlbook")
    catalog.header_comment = (f"# The {language} translation of the dlbook page {page}.\n"
                              "# `python book/build.py catalogs` merges the page's English into "
                              "it: see CONTRIBUTING.md.")
    return catalog


def split_old_english(message) -> tuple[list[str], str | None]:
    """A message's own comments, and the English its fuzzy translation was made from: the
    comments from the one that starts with `OLD_ENGLISH` on (babel wraps a long comment)."""
    comments = message.user_comments
    for at, comment in enumerate(comments):
        if comment.startswith(OLD_ENGLISH):
            return comments[:at], " ".join(comments[at:]).removeprefix(OLD_ENGLISH)
    return comments, None


def note_the_old_english(catalog: Catalog) -> None:
    """A fuzzy translation keeps, in its last comment, the English it was made from (babel
    reads no ``#|`` line back), so that a translator sees what changed; the comment goes once
    the translation is checked (no longer fuzzy)."""
    for message in messages(catalog):
        own, old = split_old_english(message)
        if message.fuzzy and message.previous_id:
            old = message.previous_id[0]
        message.user_comments = own + ([OLD_ENGLISH + old] if message.fuzzy and old else [])


def merge(page: str, template: Catalog, path: Path, language: str) -> PageStatus:
    """Merge the page's English into its catalog; record the revision once wholly translated."""
    catalog = read_catalog(path) or new_catalog(page, language, template)
    before = path.read_bytes() if path.is_file() else b""
    catalog.update(template, update_creation_date=False)
    note_the_old_english(catalog)
    done = page_status(page, template, catalog)
    if not done.untranslated:
        if catalog.version != done.revision:
            catalog.revision_date = datetime.now(UTC)
        catalog.version = done.translated = done.revision
        catalog.obsolete.clear()  # the translations of English text that is no more
    after = serialized(catalog)
    if after != before:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(after)
    return done


def update(pot_dir: Path, language: str, locales: Path = LOCALES) -> dict[str, PageStatus]:
    """Bring every catalog of ``language`` up to the English extracted into ``pot_dir``, and
    remove the catalogs of pages the book no longer has; the status of each page."""
    templates = read_templates(pot_dir)
    folder = locales / language / "LC_MESSAGES"
    for stale in sorted(folder.rglob("*.po")) if folder.is_dir() else []:
        if page_of(stale, folder) not in templates:
            stale.unlink()
            print(f"catalogs: removed {stale.relative_to(locales)} (no such page any more)")
    return {page: merge(page, template, catalog_path(language, page, locales), language)
            for page, template in templates.items()}


def translations(language: str, page: str, locales: Path = LOCALES) -> dict[str, str]:
    """The page's translated messages, fuzzy ones left out (as Sphinx leaves them out)."""
    catalog = read_catalog(catalog_path(language, page, locales))
    if catalog is None:
        return {}
    return {message.id: message.string for message in messages(catalog)
            if message.string and not message.fuzzy}
