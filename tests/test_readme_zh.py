"""README.zh-CN.md, the Chinese README (issue 23): linked from README.md's first lines, its chapter
table headed by the heading most seeds print for each section, and every `make` target it names
one the Makefile has."""

import re
import subprocess
from collections import Counter
from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parents[1]
CHINESE = (REPO / "README.zh-CN.md").read_text(encoding="utf-8")


def test_the_english_readme_links_the_chinese_one_in_its_first_lines():
    first_lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()[:5]
    assert any("(README.zh-CN.md)" in line for line in first_lines)


def most_printed_headings() -> dict[int, str]:
    """Each section's heading as most seeds print it (top-level headings, book/sections.toml)."""
    sections = tomllib.loads((REPO / "book" / "sections.toml").read_text(encoding="utf-8"))
    return {section["number"]: Counter(
        heading["heading"] for heading in section["headings"]
        if re.fullmatch(r"\d+", heading["number"])).most_common(1)[0][0]
        for section in sections["section"]}


def test_the_chapter_table_gives_the_heading_most_seeds_print():
    rows = re.findall(r"^\| 第 (\d) 节 ([^|]+?) \|", CHINESE, re.M)
    assert {int(number): heading for number, heading in rows} == most_printed_headings()


def test_every_make_target_it_names_is_one_of_the_makefile():
    targets = sorted(set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", CHINESE)))
    assert {"run", "test", "book", "notebooks", "exercises", "check", "progress"} <= set(targets)
    for target in targets:
        dry_run = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True)
        assert dry_run.returncode == 0, f"make {target}: {dry_run.stderr.strip()}"
