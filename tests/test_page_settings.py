"""A page's constants are its flags (`dlbook.cli.start_page`): defaults, ``--quick``, checked
values with one-line errors, the flags a page takes and no others, its output folder, what it
records, and the library's errors worded with the page's flags."""

import json
import runpy
import subprocess
import sys
import types
from pathlib import Path
from typing import Literal

from dlbook.cli import QUICK_LIMIT, command_line_words, page_flags, start_page

import pytest

REPO = Path(__file__).resolve().parents[1]


def lenet_constants(**more) -> dict:
    """A page's globals as they stand when it calls `start_page`."""
    return {"__name__": "__main__", "EPOCHS": 10, "BATCH_SIZE": 128, "LEARNING_RATE": 3e-3,
            "PAGE_EPOCHS": 1, "DATASET": "auto", "keras": types.ModuleType("keras"), **more}


@pytest.fixture(autouse=True)
def outputs(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path / "outputs"))
    return tmp_path / "outputs"


def start(constants, *flags, **options):
    return start_page("ch05_practice/lenet", constants, argv=list(flags), **options)


def test_the_flags_set_the_constants_and_the_rest_keep_their_defaults(outputs):
    constants = lenet_constants()
    page = start(constants, "--epochs", "3", "--learning-rate", "0.01", "--dataset",
                 "fashion_mnist")
    assert (constants["EPOCHS"], constants["LEARNING_RATE"], constants["BATCH_SIZE"]) == (
        3, 0.01, 128)
    assert constants["DATASET"] == "fashion_mnist" and "keras" in constants
    assert page.output_dir == outputs / "ch05_practice" / "lenet" and page.output_dir.is_dir()
    assert page.command == ("python chapters/ch05_practice/lenet.py --epochs 3 "
                            "--learning-rate 0.01 --dataset fashion_mnist")
    assert (page.quick, page.limit, page.seed, page.data_dir) == (False, None, 0, None)
    assert page.data_options == {"limit": None, "seed": 0, "validation_fraction": 0.1,
                                 "data_dir": None}


def test_quick_is_one_epoch_on_a_small_subset_in_its_own_folder(outputs):
    constants = lenet_constants()
    page = start(constants, "--quick")
    assert (constants["EPOCHS"], page.limit) == (1, QUICK_LIMIT)
    assert page.output_dir == outputs / "ch05_practice" / "lenet-quick"
    constants = lenet_constants()
    start(constants, "--quick", "--epochs", "3")
    assert constants["EPOCHS"] == 3  # a flag given wins over what --quick changes
    constants = lenet_constants(QUICK={"EPOCHS": 5, "BATCH_SIZE": 16})
    start(constants, "--quick")
    assert (constants["EPOCHS"], constants["BATCH_SIZE"]) == (5, 16)


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "argument --epochs: 0: expected a whole number of at least 1"),
    (["--learning-rate", "0"], "argument --learning-rate: 0.0: expected a number above 0"),
    (["--batch-size", "many"], "argument --batch-size: invalid positive_int value: 'many'"),
    (["--validation-fraction", "1"], "expected a fraction from 0 up to (not including) 1"),
    (["--restart"], "unrecognized arguments: --restart"),  # not a resumable page
    (["--output-dir", ""], "argument --output-dir: an empty name; name a folder or file"),
    (["--epochs", "2", "--epochs=3"], "--epochs given more than once; give each flag once"),
])
def test_a_bad_flag_is_one_line_and_status_2(capsys, flags, message):
    with pytest.raises(SystemExit) as stop:
        start(lenet_constants(), *flags)
    error = capsys.readouterr().err
    assert stop.value.code == 2
    assert error.count("\n") == 1 and error.startswith("lenet.py: error: ") and message in error


def test_a_page_takes_only_the_flags_of_its_constants(capsys):
    with pytest.raises(SystemExit):
        start({"STEPS": 100}, "--epochs", "3")
    assert "unrecognized arguments: --epochs 3" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        start({"STEPS": 100}, "--data-dir", "/tmp")  # no DATASET: no --data-dir either
    assert "unrecognized arguments: --data-dir" in capsys.readouterr().err
    start(lenet_constants(), "--restart", resumable=True)
    constants = lenet_constants()
    start(constants, "--page-epochs", "0", may_be_zero={"PAGE_EPOCHS"})
    assert constants["PAGE_EPOCHS"] == 0


@pytest.mark.parametrize("given", ["32x48", "32,48", "(32, 48)"])
def test_a_size_takes_its_usual_spellings(given):
    constants = {"IMAGE_SIZE": (28, 28)}
    start(constants, "--image-size", given)
    assert constants["IMAGE_SIZE"] == (32, 48)


def test_an_optional_size_is_a_size_too():
    constants = {"IMAGE_SIZE": None, "__annotations__": {"IMAGE_SIZE": tuple[int, int] | None}}
    start(constants, "--image-size", "64x64")
    assert constants["IMAGE_SIZE"] == (64, 64)


def test_a_size_of_zero_or_words_is_refused(capsys):
    for given in ("0x28", "big"):
        with pytest.raises(SystemExit):
            start({"IMAGE_SIZE": (28, 28)}, "--image-size", given)
        assert f"argument --image-size: {given}: expected whole numbers" in capsys.readouterr().err


def test_a_constant_the_page_imports_is_no_setting(monkeypatch):
    source = "from dlbook.doctor import CHECKED_PACKAGES\nEPOCHS = 3\n"
    monkeypatch.setattr("dlbook.cli.page_source", lambda name: source)
    constants = {"CHECKED_PACKAGES": "tensorflow keras", "EPOCHS": 3}
    page = start(constants)
    assert page.settings == {"EPOCHS": 3}


def test_booleans_choices_and_paths(tmp_path, capsys):
    constants = {"LISTING": False, "PLOTS": True, "RNN": "lstm", "CNN": None,
                 "__annotations__": {"RNN": Literal["lstm", "gru"], "CNN": Path | None}}
    start(constants, "--listing", "--no-plots", "--rnn", "gru", "--cnn", "~/model.keras")
    assert (constants["LISTING"], constants["PLOTS"], constants["RNN"]) == (True, False, "gru")
    assert constants["CNN"] == Path("~/model.keras").expanduser()
    with pytest.raises(SystemExit):
        start(dict(constants, RNN="lstm"), "--rnn", "transformer")
    assert "invalid choice: 'transformer'" in capsys.readouterr().err


def test_the_output_folder_is_checked_before_anything_runs(tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    for folder, message in [(a_file, "this is a file, not a folder"),
                            (a_file / "inside", "cannot write there")]:
        with pytest.raises(SystemExit) as stop:
            start(lenet_constants(), "--output-dir", str(folder))
        assert stop.value.code == 2 and message in capsys.readouterr().err
    with pytest.raises(SystemExit):
        start(lenet_constants(), "--data-dir", str(tmp_path / "missing"))
    assert f"--data-dir {tmp_path / 'missing'}: no such folder" in capsys.readouterr().err


def test_the_help_of_a_flag_is_the_comment_after_its_constant(capsys):
    with pytest.raises(SystemExit):
        start(lenet_constants(), "--help")
    shown = " ".join(capsys.readouterr().out.split())
    assert "Section 5.2" in shown  # the page's title
    assert "--page-epochs PAGE_EPOCHS epochs of the loop written on this page" in shown


def test_record_writes_every_figure_so_far_with_the_command_and_settings(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "results.json").write_text('{"test_accuracy": 0.9}')  # an older run's
    page = start(lenet_constants(), "--quick", "--output-dir", str(tmp_path / "run"))
    assert json.loads((page.output_dir / "results.json").read_text()) == {"test_accuracy": 0.9}
    page.record(test_accuracy=0.5)
    path = page.record(identity={"dataset": "mnist"})
    assert json.loads(path.read_text()) == {
        "command": f"python chapters/ch05_practice/lenet.py --quick --output-dir {tmp_path}/run",
        "quick": True, "settings": {"EPOCHS": 1, "BATCH_SIZE": 128, "LEARNING_RATE": 3e-3,
                                    "PAGE_EPOCHS": 1, "DATASET": "auto"},
        "test_accuracy": 0.5, "identity": {"dataset": "mnist"}}
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temporary left


class KernelApp:
    """Stands for ipykernel's `IPKernelApp`: `initialized()` once a kernel runs."""

    @classmethod
    def initialized(cls) -> bool:
        return True


def test_a_notebook_takes_its_flags_from_the_environment(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ipykernel.kernelapp",
                        types.SimpleNamespace(IPKernelApp=KernelApp))
    monkeypatch.setattr(sys, "argv", ["ipykernel_launcher.py", "-f", "kernel.json"])
    monkeypatch.setenv("DLBOOK_ARGS", "--quick --epochs 2")
    constants = lenet_constants()
    page = start_page("ch05_practice/lenet", constants)
    assert (page.quick, constants["EPOCHS"]) == (True, 2)
    monkeypatch.setenv("DLBOOK_ARGS", "--dataset 'my images")
    with pytest.raises(SystemExit) as stop:
        start_page("ch05_practice/lenet", lenet_constants())
    assert stop.value.code == 2
    assert "$DLBOOK_ARGS: No closing quotation" in capsys.readouterr().err


def test_the_librarys_settings_are_worded_as_the_pages_flags():
    flags = ["data_dir", "restart", "dataset"]
    worded = command_line_words("data_dir=/x lacks a.gz; pass restart=True, or dataset=mnist",
                                flags)
    assert worded == "--data-dir /x lacks a.gz; pass --restart, or --dataset mnist"
    assert command_line_words("encoding=utf-16 failed", flags) == "encoding=utf-16 failed"
    assert command_line_words("old_data_dir=x", flags) == "old_data_dir=x"


def run_broken_page(tmp_path, before: str, after: str) -> subprocess.CompletedProcess:
    """A page, ``broken.py``, whose code ``before`` and ``after`` its `start_page` call, run as a
    script with ``--data-dir tmp_path``."""
    script = tmp_path / "broken.py"
    script.write_text(f"from dlbook.cli import start_page\n{before}"
                      f"page = start_page('ch05_practice/broken', globals())\n{after}")
    return subprocess.run([sys.executable, str(script), "--data-dir", str(tmp_path)],
                          capture_output=True, text=True,
                          env={"DLBOOK_OUTPUT_DIR": str(tmp_path / "out"), "PATH": ""})


def test_an_expected_error_in_a_page_is_one_line_with_its_flags(tmp_path):
    done = run_broken_page(tmp_path, "from dlbook.errors import DlbookError\n"
                                     "DATASET = 'auto'\n", "raise DlbookError("
                           "f'data_dir={page.data_dir} holds nothing; name another')\n")
    assert done.returncode == 2
    assert done.stderr == f"broken.py: error: --data-dir {tmp_path} holds nothing; name another\n"


def test_a_pages_flags_are_read_from_its_source_without_running_it(tmp_path):
    page = tmp_path / "ch09_faq" / "tiny.py"
    page.parent.mkdir()
    page.write_text("from dlbook.cli import start_page\n\nEPOCHS = 3  # passes\nLISTING = False\n"
                    "IMAGE_SIZE = (28, 28)\nDATASET = 'auto'\n\n"
                    "page = start_page('ch09_faq/tiny', globals(), resumable=True)\n"
                    "LATER = 1\n")
    assert page_flags(page) == {
        "--epochs": True, "--listing": False, "--no-listing": False, "--image-size": True,
        "--dataset": True, "--data-dir": True, "--validation-fraction": True, "--restart": False,
        "--quick": False, "--seed": True, "--output-dir": True}
    build = runpy.run_path(str(REPO / "book" / "build.py"))
    assert build["flags_of_page"](page, ["--epochs", "2", "--batch-size", "8", "--quick",
                                         "--dataset=mnist"]) == (
        ["--epochs", "2", "--quick", "--dataset=mnist"], ["--batch-size"])


def test_an_error_of_the_library_in_a_page_is_one_line_worded_with_its_flags(tmp_path):
    done = run_broken_page(tmp_path, "from dlbook.data import load_images\nDATASET = 'mnist'\n",
                           "load_images(DATASET, **page.data_options)\n")
    assert done.returncode == 2
    assert done.stderr.startswith(f"broken.py: error: mnist: --data-dir {tmp_path} lacks ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz" in done.stderr


def test_an_unexpected_error_keeps_its_traceback(tmp_path):
    script = tmp_path / "buggy.py"
    script.write_text("from dlbook.cli import start_page\n"
                      "page = start_page('ch05_practice/buggy', globals())\n"
                      "1 / 0\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env={"DLBOOK_OUTPUT_DIR": str(tmp_path / "out"), "PATH": ""})
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError" in done.stderr


def test_a_script_that_imports_ipykernel_keeps_its_own_flags(monkeypatch):
    """A notebook runner (nbclient) imports ipykernel without being a kernel: a page run by the
    same process took its flags from an empty $DLBOOK_ARGS and trained in full."""
    import ipykernel.kernelapp  # noqa: F401

    monkeypatch.setattr(sys, "argv", ["lenet.py", "--quick"])
    monkeypatch.setenv("DLBOOK_ARGS", "")
    assert start_page("ch05_practice/lenet", lenet_constants()).quick is True


def test_an_output_folder_under_home_is_the_home_folder_not_a_folder_named_tilde(tmp_path,
                                                                                monkeypatch):
    """Red team item 16: ``--output-dir=~/x`` made a folder named ``~`` in the working folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    page = start(lenet_constants(), "--output-dir=~/runs")
    assert page.output_dir == tmp_path / "home" / "runs"
    assert not (tmp_path / "~").exists()
