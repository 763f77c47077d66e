"""Every page names the tutorial section and the seed headings it mirrors, and each one exists in
the project's table of the tutorial's sections (`book/sections.toml`); the book's landing table
(`book/index.md`) gives every section the same title and the same headings as that table."""

import re
import sys
from itertools import takewhile
from pathlib import Path

import pytest
import tomllib

REPO = Path(__file__).resolve().parents[1]
TABLE = tomllib.loads((REPO / "book" / "sections.toml").read_text())
SECTIONS = {section["number"]: section for section in TABLE["section"]}
SEEDS = [seed["id"] for seed in TABLE["seed"]]
PAGES = sorted((REPO / "chapters").glob("ch*_*/*.py")) + [
    REPO / "book" / "background.md", REPO / "book" / "tools.md"]

SECTION_PART = re.compile(r"^section (\d) · (.+)$")
CITATION = re.compile(r"^(.+?) \(seeds? (.+)\)$")
REFERENCE = re.compile(r"^(\d{3}) §(\d+(?:\.\d+)*(?: Q\d)?)$")


def first_cell(page: Path) -> list[str]:
    """A script's first markdown cell, a prose page's lines before its first subheading."""
    lines = page.read_text().splitlines()
    if page.suffix == ".md":
        return list(takewhile(lambda line: not line.startswith("## "), lines))
    assert lines[0] == "# %% [markdown]", f"{page.name} does not start with a markdown cell"
    cell = takewhile(lambda line: not line.startswith("# %%"), lines[1:])
    return [line.removeprefix("#").removeprefix(" ") for line in cell]


def tutorial_lines(page: Path) -> list[str]:
    """The paragraphs of a page's first cell that start with ``Tutorial:``, each joined into one
    line (a long one is wrapped over several lines of the script) and without that word."""
    paragraphs, lines = [], []
    for line in [*first_cell(page), ""]:
        if line.strip():
            lines.append(line.strip())
        elif lines:
            paragraphs.append(" ".join(lines))
            lines = []
    return [paragraph.removeprefix("Tutorial: ") for paragraph in paragraphs
            if paragraph.startswith("Tutorial: ")]


def citations(line: str) -> list[tuple[int, str, str, str]]:
    """``(section, seed, number, heading)`` for each heading a tutorial line cites, e.g.
    ``section 5 · 源代码详细实现 (seed 003 §5.2)``; parts for several sections are joined by
    ``; ``, several headings of a section by `` · ``, one heading of several seeds by ``, ``."""
    cited = []
    for part in line.split("; "):
        section = SECTION_PART.match(part)
        assert section, f"expected 'section N · heading (seed NNN §N)', got {part!r}"
        for citation in section.group(2).split(" · "):
            heading = CITATION.match(citation)
            assert heading, f"expected 'heading (seed NNN §N)', got {citation!r}"
            for reference in heading.group(2).split(", "):
                seed = REFERENCE.match(reference)
                assert seed, f"expected 'NNN §N', got {reference!r} in {citation!r}"
                cited.append((int(section.group(1)), *seed.groups(), heading.group(1)))
    return cited


def in_table(section: int, seed: str, number: str, heading: str) -> bool:
    return section in SECTIONS and {"seed": seed, "number": number, "heading": heading} in (
        SECTIONS[section]["headings"])


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.parent.name}/{page.name}")
def test_each_page_names_what_it_mirrors_from_the_table(page):
    lines = tutorial_lines(page)
    assert len(lines) == 1, f"{page.name}: its first cell needs one 'Tutorial: ...' paragraph"
    cited = citations(lines[0])
    assert cited
    unknown = [citation for citation in cited if not in_table(*citation)]
    assert not unknown, f"{page.name} cites headings that book/sections.toml lacks: {unknown}"


def test_a_heading_the_table_lacks_or_a_wrong_section_is_caught():
    line = "section 5 · 源代码详细实现 (seed 003 §5.2)"
    assert all(in_table(*citation) for citation in citations(line))
    assert not in_table(*citations("section 4 · 源代码详细实现 (seed 003 §5.2)")[0])
    assert not in_table(*citations("section 5 · 源代码的实现 (seed 003 §5.2)")[0])
    assert not in_table(*citations("section 5 · 源代码详细实现 (seed 004 §5.2)")[0])
    with pytest.raises(AssertionError):
        citations("section 5 · 源代码详细实现 (003 5.2)")


def test_the_table_has_sections_1_to_9_titled_as_the_books_landing_table():
    sys.path.insert(0, str(REPO / "book"))
    import build

    assert sorted(SECTIONS) == list(range(1, 10))
    assert {number: section["title"] for number, section in SECTIONS.items()} == (
        build.SECTION_TITLES)
    for section in SECTIONS.values():
        assert {heading["seed"] for heading in section["headings"]} <= set(SEEDS)
        assert all(heading["heading"].strip() == heading["heading"] != ""
                   for heading in section["headings"])


def landing_table() -> dict[str, list[str]]:
    """The rows of book/index.md's table of headings: ``"N title"`` -> one cell per seed."""
    rows = [line.strip("|").split("|") for line in (REPO / "book" / "index.md").read_text()
            .splitlines() if re.match(r"^\| \d ", line)]
    return {cells[0].strip(): [cell.strip() for cell in cells[1:]] for cells in rows}


def test_the_books_landing_table_gives_each_section_the_seeds_headings():
    expected = {}
    for number, section in SECTIONS.items():
        top = {heading["seed"]: f"§{heading['number']} {heading['heading']}"
               for heading in section["headings"] if re.fullmatch(r"\d", heading["number"])}
        expected[f"{number} {section['title']}"] = [top.get(seed, "—") for seed in SEEDS]
    assert landing_table() == expected
