"""The book: `make chapters` covers every script in tutorial order, `make notebooks` writes them as
notebooks, and the HTML book builds offline (a representative part, in QUICK mode)."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "book" / "build.py"
SCRIPTS = sorted((REPO / "chapters").glob("ch*_*/*.py"))
REMOTE_ATTRIBUTE = re.compile(r"""(?:src|href)=["']?(?:https?:)?//""")
REMOTE_URL = re.compile(r"""url\(["']?(?:https?:)?//[^)]*\)|@import\s+["']?https?://\S+""")
REMOTE_IMPORT = re.compile(r"""(?:import\s*\(|from)\s*["'](?:https?:)?//[^"']+["']""")


def build(*args):
    return subprocess.run([sys.executable, str(BUILD), *args], capture_output=True, text=True,
                          cwd=REPO, check=True).stdout


def test_make_chapters_runs_every_script_in_tutorial_order():
    printed = build("scripts", "--quick", "--dry-run").splitlines()
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
    sys.path.insert(0, str(BUILD.parent))
    import build as book

    monkeypatch.setattr(book, "OUTPUTS", tmp_path)
    written = book.write_notebooks(tmp_path / "notebooks")
    assert len(written) == len(SCRIPTS)
    for path in written:
        notebook = nbformat.read(path, as_version=4)
        assert notebook.cells[0].cell_type == "markdown"


def test_the_book_has_its_pages(quick_book):
    for page in ["index", "background", "tools", "figures", "runs", "chapters/ch05_practice/index",
                 "chapters/ch05_practice/lenet"]:
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
        "Section 5.2 · LeNet-5 trained with a GradientTape loop", "total, 1 page"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", cells[0][1])
    assert re.fullmatch(r"(\d+ min )?\d+ s", cells[0][2]) and cells[0][2] not in ("0 s", "1 s")
    assert cells[1][2] == cells[0][2]  # the total of one page


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
