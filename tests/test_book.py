"""The book: `make chapters` covers every script in tutorial order, `make notebooks` writes them as
notebooks, and the HTML book builds offline (a representative part, in QUICK mode), in English and
Chinese: a language switch both ways, the Chinese text with the English build's outputs, the
revision of the English each page shows, and a search that finds Chinese words."""

import json
import re
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "book" / "build.py"
SCRIPTS = sorted((REPO / "chapters").glob("ch*_*/*.py"))
REMOTE_ATTRIBUTE = re.compile(r"""(?:src|href)=["']?(?:https?:)?//""")
REMOTE_URL = re.compile(r"""url\(["']?(?:https?:)?//[^)]*\)|@import\s+["']?https?://\S+""")
REMOTE_IMPORT = re.compile(r"""(?:import\s*\(|from)\s*["'](?:https?:)?//[^"']+["']""")


sys.path.insert(0, str(BUILD.parent))
import build as book  # noqa: E402


def test_make_chapters_runs_every_script_in_tutorial_order(capsys):
    book.main(["scripts", "--quick", "--dry-run"])  # `make chapters QUICK=1`, printing only
    printed = capsys.readouterr().out.splitlines()
    assert sorted(printed) == sorted(f"{path.relative_to(REPO)} --quick" for path in SCRIPTS)
    chapters = [line.split("/")[1] for line in printed]
    assert chapters == sorted(chapters)  # chapter by chapter, in section order
    pages = [line.split(" ")[0] for line in printed]
    assert pages.index("chapters/ch02_concepts/perceptron.py") == 0  # the neuron comes first
    assert pages[len(list((REPO / "chapters" / "ch02_concepts").glob("*.py")))] == (
        "chapters/ch03_algorithm/six_steps.py")  # the steps, before what goes wrong with them
    assert pages.index("chapters/ch05_practice/lenet.py") < pages.index(
        "chapters/ch05_practice/lenet_fit.py")


def test_notebooks_are_written_for_every_script(tmp_path, monkeypatch):
    monkeypatch.setattr(book, "OUTPUTS", tmp_path)
    written = book.write_notebooks(tmp_path / "notebooks", book.all_pages())
    assert len(written) == len(SCRIPTS)
    for path in written:
        notebook = nbformat.read(path, as_version=4)
        assert notebook.cells[0].cell_type == "markdown"


def test_the_book_has_its_pages(quick_book):
    for page in ["index", "background", "tools", "figures", "glossary", "runs",
                 "chapters/ch05_practice/index", "chapters/ch05_practice/lenet"]:
        assert (quick_book / f"{page}.html").is_file(), page
    index = (quick_book / "index.html").read_text()
    for section in ["1 Background", "5 Code practice", "7 Tools and resources", "9 FAQ"]:
        assert section in index
    page = (quick_book / "chapters" / "ch05_practice" / "lenet.html").read_text()
    assert 'href="../../_static/dlbook.css' in page  # room for 100 columns of code
    assert (quick_book / "_static" / "dlbook.css").read_text().startswith("/*")


def test_the_runs_page_gives_each_executed_page_its_run_time_and_the_total(quick_book):
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", (quick_book / "runs.html").read_text(), re.S)
    cells = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                        row, re.S)]
             for row in rows[1:]]
    assert [row[0] for row in cells] == [
        "Section 4 · Max pooling and average pooling",
        "Section 5.2 · LeNet-5 trained with a GradientTape loop", "total, 2 pages"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[1]) for row in cells[:2])
    seconds = [seconds_of(row[2]) for row in cells]
    assert seconds[1] > 1 and abs(seconds[2] - seconds[0] - seconds[1]) <= 1  # rounded each


def seconds_of(duration: str) -> int:
    minutes, seconds = re.fullmatch(r"(?:(\d+) min )?(\d+) s", duration).groups()
    return int(minutes or 0) * 60 + int(seconds)


def test_a_chapter_page_shows_prose_code_outputs_and_figures(quick_book):
    page = (quick_book / "chapters" / "ch05_practice" / "lenet.html").read_text()
    assert "Section 5.2 · LeNet-5 trained with a GradientTape loop" in page
    assert "tf.GradientTape" in page and "Test accuracy on fashion_mnist" in page
    images = re.findall(r'<img[^>]*src="([^"]+\.png)"', page)
    assert len(images) >= 3  # curves, predictions, confusion matrix, inline
    for image in images:
        assert (quick_book / "chapters" / "ch05_practice" / image).resolve().stat().st_size > 1000
    assert "QUICK run" in page  # the mode that produced the outputs
    for noise in ("oneDNN", "cuInit", "absl::InitializeLog", "\r", "\x1b[", "PosixPath("):
        assert noise not in page


def test_nothing_is_loaded_from_another_host(quick_book):
    """Scripts, styles, fonts and images are local: no tag, stylesheet or module import names
    another host (links a reader clicks, <a href>, may)."""
    for path in quick_book.rglob("*"):
        if path.suffix == ".html":
            text = path.read_text()
            loading = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", text)
            remote = [tag for tag in loading if REMOTE_ATTRIBUTE.search(tag)]
            remote += REMOTE_IMPORT.findall(text)
        elif path.suffix in {".css", ".js", ".mjs"}:
            text = path.read_text(errors="replace")
            remote = REMOTE_URL.findall(text) + REMOTE_IMPORT.findall(text)
        else:
            continue
        assert not remote, f"{path.relative_to(quick_book)} loads {remote[:3]}"
    page = (quick_book / "chapters" / "ch05_practice" / "lenet.html").read_text()
    assert re.search(r'<script[^>]*src="[./]*_static/mathjax/tex-chtml.js', page)
    assert (quick_book / "_static" / "mathjax" / "output" / "chtml" / "fonts").is_dir()


EDITION_PAGES = ["index", "glossary", "runs", "chapters/ch04_math/pooling",
                 "chapters/ch05_practice/lenet"]


def language_switch(page: Path) -> dict[str, str | None]:
    """The switch's labels, each with its link (None: the page's own edition)."""
    switch = re.search(r'<div class="dlbook-language-switch">(.*?)</div>', page.read_text(), re.S)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>|<span aria-current="page">([^<]+)</span>',
                       switch.group(1))
    return {label or current: href or None for href, label, current in links}


def test_every_page_switches_to_the_same_page_in_the_other_language(quick_book):
    for name in EDITION_PAGES:
        english, chinese = quick_book / f"{name}.html", quick_book / "zh_CN" / f"{name}.html"
        to_chinese, to_english = language_switch(english), language_switch(chinese)
        assert list(to_chinese) == list(to_english) == ["中文", "English"]
        assert to_chinese["English"] is None and to_english["中文"] is None
        assert (english.parent / to_chinese["中文"]).resolve() == chinese.resolve()
        assert (chinese.parent / to_english["English"]).resolve() == english.resolve()


def outputs(page: Path) -> list[str]:
    return re.findall(r'<div class="cell_output docutils container">(.*?)</div>\n</div>',
                      page.read_text(), re.S)


def test_a_chinese_page_is_the_translation_with_the_english_outputs(quick_book):
    english = quick_book / "chapters" / "ch04_math" / "pooling.html"
    chinese = quick_book / "zh_CN" / "chapters" / "ch04_math" / "pooling.html"
    text = chinese.read_text()
    assert "<title>第 4 节「池化操作的数学表示」：最大池化与平均池化" in text
    assert 'lang="zh-CN"' in text
    assert "池化层（pooling layer）" in text and "A pooling layer shrinks" not in text
    assert '<span class="pre">dlbook.scratch.pooling</span></code> 对照' in text
    assert r"\(R_{ij}\)" in text  # inline math, as math
    assert outputs(chinese) == outputs(english)
    assert any("max pooling vs keras.layers.MaxPooling2D" in output for output in outputs(chinese))
    for image in re.findall(r'<img[^>]*src="([^"]+\.png)"', text):
        assert (chinese.parent / image).resolve().stat().st_size > 1000
    assert "快速运行（QUICK）" in text  # the banner


def test_each_page_names_the_revision_of_the_english_it_shows(quick_book):
    def footer(path: Path) -> str:
        return re.search(r'<p class="dlbook-revision">\s*(.*?)\s*</p>', path.read_text()).group(1)

    revision = re.fullmatch(r"English text revision ([0-9a-f]{12})\.", footer(
        quick_book / "chapters" / "ch04_math" / "pooling.html")).group(1)
    assert footer(quick_book / "zh_CN" / "chapters" / "ch04_math" / "pooling.html") == (
        f"本页译自英文原文修订号 {revision}。")
    lenet = re.fullmatch(r"English text revision ([0-9a-f]{12})\.", footer(
        quick_book / "chapters" / "ch05_practice" / "lenet.html")).group(1)
    assert lenet != revision  # a page's own English; the footer's other states: test_i18n.py
    assert footer(quick_book / "zh_CN" / "chapters" / "ch05_practice" / "lenet.html") == (
        f"本页译自英文原文修订号 {lenet}。")


def test_the_chinese_search_finds_chinese_words_on_the_pages_that_use_them(quick_book):
    text = (quick_book / "zh_CN" / "searchindex.js").read_text()
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])

    def pages_with(word: str) -> set[str]:
        found = set()
        for kind in ("terms", "titleterms"):
            hits = index[kind].get(word, [])
            found |= {index["docnames"][hit] for hit in ([hits] if isinstance(hits, int) else hits)}
        return found

    assert {"chapters/ch04_math/pooling", "glossary"} <= pages_with("池化")
    assert {"chapters/ch04_math/pooling", "glossary"} <= pages_with("梯度")
    assert "glossary" in pages_with("过拟合")  # jieba alone cuts it into 过 and 拟合
    script = (quick_book / "zh_CN" / "_static" / "language_data.js").read_text()
    stemmer = re.search(r"window\.Stemmer = (\w+);", script).group(1)
    assert f"{stemmer}=function" in script  # the search page runs (Sphinx 9.0 named a missing one)


def test_the_glossary_page_in_both_editions(quick_book):
    english = (quick_book / "glossary.html").read_text()
    chinese = (quick_book / "zh_CN" / "glossary.html").read_text()
    for page, header in [(english, "term in the tutorial"), (chinese, "教程中的术语")]:
        assert header in page
        assert re.search(r"<td><p>过拟合</p></td>\s*<td><p>overfitting</p></td>", page)
        assert re.search(r"<td><p>多层感知机</p></td>\s*<td><p>multilayer perceptron</p></td>\s*"
                         r"<td><p>多层感知器</p></td>", page)
    assert "<title>术语表" in chinese
