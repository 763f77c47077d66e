"""The package's code that pages define (`dlbook.pages`): each module that a page's cells marked
``#@save`` belong to runs those cells, with the imports they use, and nothing else; the code is
found on the page by tracebacks and ``inspect``; a saved cell that needs a page constant is
refused."""

import importlib
import inspect
import sys
import types
from pathlib import Path

from dlbook.pages import CHAPTERS, code_cells, run_saved_cells, saved_cells, top_level_names

import pytest

REPO = Path(__file__).resolve().parents[1]
SAVED = {module: page for page in sorted(CHAPTERS.glob("ch*_*/*.py"))
         for module in saved_cells(page)}
"""Every module a page saves cells to, and that page."""


def page(tmp_path: Path, *cells: str) -> Path:
    path = tmp_path / "page.py"
    path.write_text("# %% [markdown]\n# # Section 9 · A test page\n\n"
                    + "".join(f"# %%\n{cell}\n\n" for cell in cells))
    return path


def module_named(name: str) -> dict:
    return {"__name__": name}


def test_the_pages_define_the_packages_models_formulas_and_steps():
    assert {"dlbook/models/lenet.py", "dlbook/models/cnn.py", "dlbook/training/gan.py",
            "dlbook/scratch/activations.py", "dlbook/compression/pruning.py"} <= set(SAVED)


@pytest.mark.parametrize("module", sorted(SAVED))
def test_a_module_runs_its_pages_saved_cells_and_nothing_more(module):
    path = REPO / module
    stub = path.read_text()
    name = f"{SAVED[module].parent.name}/{SAVED[module].stem}"
    assert f'run_saved_cells("{name}", globals())' in stub and "#@save" in stub
    assert len([line for line in stub.splitlines() if line and not line.startswith(" ")]) < 12
    loaded = importlib.import_module(module.removesuffix(".py").replace("/", "."))
    defined = set().union(*(top_level_names(cell.code) for cell in saved_cells(SAVED[module])[
        module]))
    assert defined <= set(vars(loaded))
    assert loaded.__file__ == str(SAVED[module])  # inspect and tracebacks read the page


def test_inspect_and_tracebacks_show_the_page():
    from dlbook.models import LeNet, build_cnn

    lenet = CHAPTERS / "ch05_practice" / "lenet.py"
    assert inspect.getsourcefile(LeNet) == str(lenet)
    lines, start = inspect.getsourcelines(build_cnn)
    assert lenet.parent / "cnn.py" == Path(inspect.getsourcefile(build_cnn))
    assert (lenet.parent / "cnn.py").read_text().splitlines()[start - 1] == lines[0].rstrip("\n")


def test_a_module_holds_the_saved_cells_with_only_the_imports_they_use(tmp_path):
    source = page(tmp_path,
                  "import math\nimport time\n\nimport numpy as np\nfrom numpy import linalg, fft",
                  "EPOCHS = 3",
                  "#@save dlbook/models/tiny.py\ndef tiny(x):\n"
                  "    return linalg.norm(np.asarray(x))",
                  "result = tiny([3, 4])",
                  "#@save dlbook/models/tiny.py\nSCALE = math.pi\n\n\ndef scaled(x):\n"
                  "    return tiny(x) * SCALE")
    namespace = module_named("dlbook.models.tiny")
    run_saved_cells(source, namespace)
    assert namespace["scaled"]([3, 4]) == pytest.approx(5 * 3.141592653589793)
    assert {"math", "np", "linalg", "tiny", "scaled", "SCALE"} <= set(namespace)
    assert not {"time", "fft", "EPOCHS", "result"} & set(namespace)


def test_a_cell_may_use_what_the_pages_other_saved_module_defines(tmp_path, monkeypatch):
    source = page(tmp_path, "import math",
                  "#@save dlbook/scratch/base.py\ndef base(x):\n    return x + 1",
                  "#@save dlbook/scratch/top.py\ndef top(x):\n    return base(x) * math.pi")
    base = types.ModuleType("dlbook.scratch.base")
    run_saved_cells(source, vars(base))
    monkeypatch.setitem(sys.modules, "dlbook.scratch.base", base)
    namespace = module_named("dlbook.scratch.top")
    run_saved_cells(source, namespace)
    assert namespace["top"](1) == pytest.approx(2 * 3.141592653589793)
    assert namespace["base"] is base.base


def test_a_saved_cell_that_uses_a_page_constant_is_refused(tmp_path):
    source = page(tmp_path, "EPOCHS = 3",
                  "#@save dlbook/models/tiny.py\ndef epochs():\n    return EPOCHS")
    with pytest.raises(ImportError, match="use EPOCHS, which the module would not define"):
        run_saved_cells(source, module_named("dlbook.models.tiny"))


def test_an_error_in_a_saved_cell_points_at_the_pages_line(tmp_path):
    source = page(tmp_path, "#@save dlbook/models/tiny.py\ndef fails():\n    return 1 / 0")
    namespace = module_named("dlbook.models.tiny")
    run_saved_cells(source, namespace)
    with pytest.raises(ZeroDivisionError) as error:
        namespace["fails"]()
    frame = error.traceback[-1]
    assert Path(frame.path) == source
    assert source.read_text().splitlines()[frame.lineno] == "    return 1 / 0"


def test_code_cells_skip_markdown_and_know_their_lines(tmp_path):
    source = page(tmp_path, "x = 1", "#@save dlbook/models/tiny.py\ny = 2")
    cells = code_cells(source)
    assert [cell.code for cell in cells] == ["x = 1", "#@save dlbook/models/tiny.py\ny = 2"]
    lines = source.read_text().splitlines()
    assert [lines[cell.line - 1] for cell in cells] == ["x = 1", "#@save dlbook/models/tiny.py"]
