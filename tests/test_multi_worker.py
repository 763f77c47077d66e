"""Worker processes for MultiWorkerMirroredStrategy: TF_CONFIG, logs, and no worker left behind."""

import json
import socket
import sys

from dlbook.cli import chapter_args
from dlbook.training.multi_worker import (
    WorkerError,
    WorkerGroup,
    free_ports,
    tf_config,
    worker_command,
)

import pytest


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_tf_config_names_the_cluster_and_the_worker():
    config = json.loads(tf_config(["localhost:1000", "localhost:1001"], 1))
    assert config == {"cluster": {"worker": ["localhost:1000", "localhost:1001"]},
                      "task": {"type": "worker", "index": 1}}
    with pytest.raises(ValueError, match="index 2 outside a cluster of 2"):
        tf_config(["localhost:1000", "localhost:1001"], 2)


def test_free_ports_are_distinct_and_free():
    ports = free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("localhost", port))


def test_each_worker_is_told_its_place_and_keeps_a_log(tmp_path):
    code = "import os; print(os.environ['TF_CONFIG'])"
    with WorkerGroup(python(code), workers=2, log_dir=tmp_path, timeout=30) as group:
        group.wait()
    configs = [json.loads(group.log(index)) for index in range(2)]
    assert [config["task"]["index"] for config in configs] == [0, 1]
    assert configs[0]["cluster"] == configs[1]["cluster"] == {"worker": group.addresses}


def test_a_failing_worker_stops_the_others(tmp_path):
    code = ("import json, os, sys, time\n"
            "if json.loads(os.environ['TF_CONFIG'])['task']['index'] == 1:\n"
            "    print('worker 1 gives up'); sys.exit(3)\n"
            "time.sleep(60)")
    with WorkerGroup(python(code), workers=2, log_dir=tmp_path, timeout=30) as group:
        with pytest.raises(WorkerError, match=r"(?s)worker 1 exited with status 3.*gives up"):
            group.wait()
        assert group.processes[0].poll() is not None  # killed, not left sleeping


def test_the_time_limit_kills_every_worker(tmp_path):
    with WorkerGroup(python("import time; time.sleep(60)"), workers=2, log_dir=tmp_path,
                     timeout=1) as group:
        with pytest.raises(WorkerError, match="ran past 1 s"):
            group.wait_until(lambda: False)
        assert all(process.poll() is not None for process in group.processes)


def test_leaving_the_block_kills_the_workers(tmp_path):
    sleepers = WorkerGroup(python("import time; time.sleep(60)"), workers=2, log_dir=tmp_path,
                           timeout=30)
    with pytest.raises(KeyboardInterrupt), sleepers as group:
        raise KeyboardInterrupt
    assert all(process.poll() is not None for process in group.processes)


def test_a_killed_worker_is_gone_and_the_other_runs_on(tmp_path):
    with WorkerGroup(python("import time; time.sleep(60)"), workers=2, log_dir=tmp_path,
                     timeout=30) as group:
        group.kill(1)
        assert group.processes[1].returncode is not None
        assert group.processes[0].poll() is None


def test_the_worker_command_repeats_the_shared_flags(tmp_path):
    argv = ["--quick", "--dataset", "fashion_mnist", "--epochs", "3", "--batch-size", "64",
            "--seed", "5", "--validation-fraction", "0.2", "--data-dir", str(tmp_path),
            "--output-dir", str(tmp_path / "out")]
    args = chapter_args("ch08_trends/distributed", "test", epochs=2, argv=argv)
    command = worker_command(args, "--extra")
    assert command[0] == sys.executable
    assert command[1].endswith("chapters/ch08_trends/distributed.py")
    assert command[2] == "--extra"
    again = chapter_args("ch08_trends/distributed", "test", epochs=2, argv=command[3:])
    for flag in ("quick", "dataset", "epochs", "batch_size", "seed", "validation_fraction",
                 "data_dir", "output_dir"):
        assert getattr(again, flag) == getattr(args, flag), flag


def test_a_workers_traceback_can_be_cut_to_one_line_naming_its_error(tmp_path):
    code = "print('epoch 1 done', flush=True); raise ConnectionError('the other worker is gone')"
    group = WorkerGroup(python(code), workers=1, log_dir=tmp_path, timeout=30)
    with group, pytest.raises(WorkerError, match="exited with status 1"):
        group.wait()
    full = group.log(0)
    traceback_lines = len(full.splitlines()) - 1
    assert full.splitlines()[1] == "Traceback (most recent call last):" and traceback_lines >= 3
    cut = group.log(0, full_traceback=False)
    assert cut.startswith(f"epoch 1 done\n[a traceback of {traceback_lines} lines, ending in "
                          "ConnectionError: ")
    assert cut.endswith(f"read {group.log_path(0)}]\n") and "Traceback" not in cut


def test_a_traceback_cut_short_by_a_kill_is_cut_to_one_line_too(tmp_path):
    code = ("import time\n"
            "print('epoch 1 done\\nTraceback (most recent call last):\\n  File \"x.py\"', "
            "flush=True)\n"
            "time.sleep(60)")
    with WorkerGroup(python(code), workers=1, log_dir=tmp_path, timeout=30) as group:
        group.wait_until(lambda: "x.py" in group.log(0))
    assert group.log(0, full_traceback=False) == (
        "epoch 1 done\n[a traceback of 2 lines, cut short when the worker stopped: "
        f"read {group.log_path(0)}]\n")
