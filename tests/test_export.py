"""`make export`: the package modules that pages define (cells marked ``#@save``) are generated
from the pages, and the committed modules are what the pages say."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXPORT = runpy.run_path(str(REPO / "book" / "export.py"))


def page(tmp_path: Path, *cells: str) -> Path:
    path = tmp_path / "page.py"
    path.write_text("# %% [markdown]\n# # Section 9 · A test page\n\n"
                    + "".join(f"# %%\n{cell}\n\n" for cell in cells))
    return path


def test_every_module_a_page_defines_is_what_the_page_says():
    done = subprocess.run([sys.executable, "book/export.py", "--check"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    modules = EXPORT["saved_code"](EXPORT["chapter_pages"]())
    assert Path("dlbook/models/lenet.py") in modules


def test_a_module_holds_the_saved_cells_and_only_the_imports_they_use(tmp_path):
    source = page(tmp_path,
                  "import math\nimport time\n\nimport keras\nfrom keras import layers, ops",
                  "EPOCHS = 3",
                  "#@save dlbook/models/tiny.py\ndef tiny(units: int) -> keras.Model:\n"
                  "    return keras.Sequential([layers.Dense(units)])",
                  "model = tiny(EPOCHS)",
                  "#@save dlbook/models/tiny.py\nSCALE = math.pi\n\n\ndef scaled(x):\n"
                  "    return tiny(1)(x) * SCALE")
    code = EXPORT["saved_code"]([source])[Path("dlbook/models/tiny.py")]
    text = code.text()
    assert text.startswith('"""``scaled``, ``tiny``: the code of the page ')
    assert "(Section 9 · A test page)" in " ".join(text.split())
    body = text.split('"""\n', 1)[1]
    imports = body.split("\n\n\n")[0].strip()
    assert imports == "import math\n\nimport keras\nfrom keras import layers"
    assert "def tiny(units: int)" in body and "SCALE = math.pi" in body
    assert "EPOCHS" not in body and "#@save" not in body and "model = tiny" not in body


def test_a_module_whose_cells_import_nothing_starts_after_its_docstring(tmp_path):
    source = page(tmp_path, "import math",
                  "#@save dlbook/models/tiny.py\ndef double(x):\n    return 2 * x")
    text = EXPORT["saved_code"]([source])[Path("dlbook/models/tiny.py")].text()
    assert '"""\n\n\ndef double(x):' in text  # two blank lines, as before any definition


def test_a_saved_cell_that_uses_a_page_constant_is_refused(tmp_path):
    source = page(tmp_path, "EPOCHS = 3",
                  "#@save dlbook/models/tiny.py\ndef epochs():\n    return EPOCHS")
    with pytest.raises(SystemExit, match=r"use EPOCHS, which the module would not define"):
        EXPORT["saved_code"]([source])[Path("dlbook/models/tiny.py")].text()


def test_check_names_a_module_that_differs_from_its_page(tmp_path, monkeypatch, capsys):
    source = page(tmp_path, "#@save dlbook/models/lenet.py\nX = 1")
    monkeypatch.setitem(EXPORT["main"].__globals__, "chapter_pages", lambda: [source])
    assert EXPORT["main"](["--check"]) == 1
    assert "dlbook/models/lenet.py" in capsys.readouterr().out


def test_a_cell_may_use_what_another_saved_module_defines(tmp_path):
    source = page(tmp_path, "import math",
                  "#@save dlbook/scratch/base.py\nSCALE = 2.0\n\n\ndef base(x):\n    return x",
                  "#@save dlbook/scratch/top.py\nRATE = math.pi\n\n\ndef top(x):\n"
                  "    return base(x) * SCALE * RATE")
    modules = EXPORT["saved_code"]([source])
    text = modules[Path("dlbook/scratch/top.py")].text(EXPORT["names_of_modules"](modules))
    body = text.split('"""\n', 1)[1]
    assert body.startswith("\nimport math\n\nfrom dlbook.scratch.base import SCALE\n"
                           "from dlbook.scratch.base import base\n\nRATE = math.pi")


def test_the_header_names_every_class_and_the_imports_are_spaced_as_ruff_spaces_them(tmp_path):
    """A class named in capitals (``GAN``) is named in the header like any other, constants are
    not; one blank line follows the imports before a constant, two before a def or class."""
    source = page(tmp_path, "import keras",
                  "#@save dlbook/models/tiny.py\nNOISE = 3\n\n\nclass GAN(keras.Model):\n"
                  "    pass",
                  "#@save dlbook/models/other.py\nclass GAN(keras.Model):\n    pass")
    modules = EXPORT["saved_code"]([source])
    constant_first = modules[Path("dlbook/models/tiny.py")].text()
    assert constant_first.startswith('"""``GAN``: the code of the page ')
    assert "import keras\n\nNOISE = 3\n" in constant_first
    assert "import keras\n\n\nclass GAN" in modules[Path("dlbook/models/other.py")].text()
