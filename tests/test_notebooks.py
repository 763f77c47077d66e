"""Every chapter script is a notebook too: jupytext reads it as prose and code cells, and one of
them runs top to bottom in a Jupyter kernel (nbclient) with clean outputs."""

import ast
import json
import re
from pathlib import Path

import jupytext
import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((REPO / "chapters").glob("ch*_*/*.py"))
SECTION_TITLE = re.compile(r"^# Section \d(\.\d)? · \S")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_the_script_is_a_notebook_of_prose_and_code(script):
    notebook = jupytext.read(script)
    nbformat.validate(notebook)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown" and kinds.count("markdown") >= 2 and "code" in kinds
    first_line = notebook.cells[0].source.splitlines()[0]
    assert SECTION_TITLE.match(first_line), f"the first line names no section: {first_line!r}"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            ast.parse(cell.source)  # each code cell is Python on its own
    assert script.read_text().startswith("# %% [markdown]\n")


def test_a_page_runs_as_a_notebook_with_clean_outputs(page_notebook):
    notebook, output_dir = page_notebook  # lenet.py with --quick, in a Jupyter kernel
    text = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs)
    assert "Test accuracy on fashion_mnist after 1 epochs" in text
    assert "\r" not in text and "\x1b[" not in text  # no progress-bar frames, no colour codes
    assert "oneDNN" not in text and "cuInit" not in text and "absl::InitializeLog" not in text
    results = json.loads((output_dir / "results.json").read_text())
    assert results["command"].startswith("python chapters/ch05_practice/lenet.py --quick")
    assert (output_dir / "curves.png").stat().st_size > 1000
