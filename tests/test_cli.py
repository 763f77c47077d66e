"""The command line the chapter scripts share: defaults, ``--quick`` and a script's own flags."""

import argparse

import pytest

from dlbook.cli import QUICK_LIMIT, chapter_args, save_results


def parse(monkeypatch, tmp_path, *flags, **options):
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path))
    monkeypatch.setattr("sys.argv", ["lenet.py", *flags])
    return chapter_args("doc", script="chapters/ch05_practice/lenet.py", epochs=10, **options)


def test_defaults_train_the_full_run_into_the_scripts_folder(monkeypatch, tmp_path):
    args = parse(monkeypatch, tmp_path)
    assert (args.epochs, args.limit, args.dataset, args.quick) == (10, None, "auto", False)
    assert args.output_dir == tmp_path / "ch05_practice" / "lenet"
    assert args.output_dir.is_dir()


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


def test_results_record_the_command_and_mean_epoch_time(monkeypatch, tmp_path):
    import json

    args = parse(monkeypatch, tmp_path, "--quick")
    path = save_results(args, epoch_seconds=[1.0, 3.0], test_accuracy=0.5)
    record = json.loads(path.read_text())
    assert record == {"command": "python lenet.py --quick", "quick": True, "test_accuracy": 0.5,
                      "seconds_per_epoch": 2.0}
