"""The command line the chapter scripts share: defaults, ``--quick``, a script's own flags,
one-line errors for bad flags, and ``results.json``."""

import argparse
import json
import subprocess
import sys
import types

from dlbook.cli import QUICK_LIMIT, chapter_args
from dlbook.results import save_results

import pytest


def parse(monkeypatch, tmp_path, *flags, **options):
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path))
    return chapter_args("ch05_practice/lenet", "doc", epochs=10, argv=list(flags), **options)


def test_defaults_train_the_full_run_into_the_scripts_folder(monkeypatch, tmp_path):
    args = parse(monkeypatch, tmp_path)
    assert (args.epochs, args.limit, args.dataset, args.quick) == (10, None, "auto", False)
    assert (args.validation_fraction, args.restart, args.seed) == (0.1, False, 0)
    assert args.output_dir == tmp_path / "ch05_practice" / "lenet"
    assert args.output_dir.is_dir()
    assert args.command == "python chapters/ch05_practice/lenet.py"


def test_quick_run_is_one_small_epoch_in_its_own_folder(monkeypatch, tmp_path):
    args = parse(monkeypatch, tmp_path, "--quick")
    assert (args.epochs, args.limit) == (1, QUICK_LIMIT)
    assert args.output_dir == tmp_path / "ch05_practice" / "lenet-quick"
    assert parse(monkeypatch, tmp_path, "--quick", "--epochs", "3").epochs == 3


def test_a_scripts_own_flag_is_parsed_with_the_shared_ones(monkeypatch, tmp_path, capsys):
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--rnn", choices=["lstm", "gru"], default="lstm")
    args = parse(monkeypatch, tmp_path, "--rnn", "gru", "--epochs", "2", own_flags=own)
    assert (args.rnn, args.epochs) == ("gru", 2)
    with pytest.raises(SystemExit):
        parse(monkeypatch, tmp_path, "--help", own_flags=own)
    assert "--rnn" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parse(monkeypatch, tmp_path, "--rnn", "transformer", own_flags=own)
    assert "invalid choice: 'transformer'" in capsys.readouterr().err


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "argument --epochs: 0: expected a whole number of at least 1"),
    (["--batch-size", "-1"], "argument --batch-size: -1: expected a whole number of at least 1"),
    (["--batch-size", "0"], "argument --batch-size: 0: expected a whole number of at least 1"),
    (["--seed", "-3"], "argument --seed: -3: expected a whole number of at least 0"),
    (["--validation-fraction", "1.5"], "argument --validation-fraction: 1.5: expected a fraction"),
    (["--epochs", "many"], "argument --epochs: invalid positive_int value: 'many'"),
])
def test_a_bad_flag_is_one_line_and_status_2(monkeypatch, tmp_path, capsys, flags, message):
    with pytest.raises(SystemExit) as stop:
        parse(monkeypatch, tmp_path, *flags)
    error = capsys.readouterr().err
    assert stop.value.code == 2
    assert error.count("\n") == 1 and error.startswith("lenet.py: error: ") and message in error


def test_folders_are_checked_before_anything_runs(monkeypatch, tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    for flags, message in [
        (["--output-dir", str(a_file)], f"--output-dir {a_file}: this is a file, not a folder"),
        (["--data-dir", str(tmp_path / "missing")], f"--data-dir {tmp_path / 'missing'}: no such"),
    ]:
        with pytest.raises(SystemExit) as stop:
            parse(monkeypatch, tmp_path, *flags)
        assert stop.value.code == 2 and message in capsys.readouterr().err


def test_an_expected_error_in_a_script_is_one_line_and_status_2(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text(
        "from dlbook.cli import chapter_args\n"
        "from dlbook.data import load_images\n"
        f"args = chapter_args('ch05_practice/broken', 'doc', epochs=1, argv=['--data-dir', "
        f"{str(tmp_path)!r}])\n"
        "load_images('mnist', data_dir=args.data_dir)\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env={"DLBOOK_OUTPUT_DIR": str(tmp_path / "out"), "PATH": ""})
    assert done.returncode == 2
    assert done.stderr.startswith(f"broken.py: error: mnist: --data-dir {tmp_path} lacks ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz" in done.stderr


def test_an_unexpected_error_keeps_its_traceback(tmp_path):
    script = tmp_path / "buggy.py"
    script.write_text("from dlbook.cli import chapter_args\n"
                      "chapter_args('ch05_practice/buggy', 'doc', epochs=1, argv=[])\n"
                      "1 / 0\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env={"DLBOOK_OUTPUT_DIR": str(tmp_path / "out"), "PATH": ""})
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError" in done.stderr


def test_results_record_the_command_identity_and_mean_epoch_time(monkeypatch, tmp_path):
    args = parse(monkeypatch, tmp_path, "--quick")
    path = save_results(args, identity={"dataset": "mnist", "seed": 0},
                        epoch_seconds=[1.0, 3.0], test_accuracy=0.5)
    assert json.loads(path.read_text()) == {
        "command": "python chapters/ch05_practice/lenet.py --quick", "quick": True,
        "test_accuracy": 0.5, "seconds_per_epoch": 2.0,
        "identity": {"dataset": "mnist", "seed": 0}}
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temporary left


class KernelApp:
    """Stands for ipykernel's `IPKernelApp`: `initialized()` once a kernel runs."""

    running = True

    @classmethod
    def initialized(cls) -> bool:
        return cls.running


def test_a_notebook_takes_its_flags_from_the_environment(monkeypatch, tmp_path):
    kernel_app = types.SimpleNamespace(IPKernelApp=KernelApp)  # as inside a Jupyter kernel
    monkeypatch.setitem(sys.modules, "ipykernel.kernelapp", kernel_app)
    monkeypatch.setattr(sys, "argv", ["ipykernel_launcher.py", "-f", "kernel.json"])
    monkeypatch.setenv("DLBOOK_ARGS", "--quick --epochs 2")
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path))
    args = chapter_args("ch05_practice/lenet", "doc", epochs=10)
    assert (args.quick, args.epochs) == (True, 2)
    assert args.command == "python chapters/ch05_practice/lenet.py --quick --epochs 2"


def test_a_script_that_imports_ipykernel_keeps_its_own_flags(monkeypatch, tmp_path):
    """A notebook runner (nbclient) imports ipykernel without being a kernel: a page run by the
    same process took its flags from an empty $DLBOOK_ARGS and trained in full."""
    import ipykernel.kernelapp  # noqa: F401

    monkeypatch.setattr(sys, "argv", ["lenet.py", "--quick"])
    monkeypatch.setenv("DLBOOK_ARGS", "")
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path))
    assert chapter_args("ch05_practice/lenet", "doc", epochs=10).quick is True
