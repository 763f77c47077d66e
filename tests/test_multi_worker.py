"""Worker processes for MultiWorkerMirroredStrategy: TF_CONFIG, logs, no worker left behind, and
a port that another program takes before its worker listens on it."""

import json
import socket
import sys

from dlbook.training import multi_worker
from dlbook.training.multi_worker import (
    STARTS,
    WorkerError,
    WorkerGroup,
    WorkerPortError,
    free_ports,
    tf_config,
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


LISTENS_ON_ITS_PORT = """
import json, os, socket, sys
config = json.loads(os.environ["TF_CONFIG"])
port = int(config["cluster"]["worker"][config["task"]["index"]].rpartition(":")[2])
server = socket.socket()
try:
    server.bind(("", port))
except OSError:
    sys.exit("Could not start gRPC server")
server.listen()
print("listening on", port)
"""
"""A worker that, like TensorFlow's, listens on the port of its address in TF_CONFIG, and fails
when it cannot."""


@pytest.fixture
def taken_port():
    """A port another program listens on."""
    with socket.socket() as other_program:
        other_program.bind(("", 0))
        other_program.listen()
        yield other_program.getsockname()[1]


def give_worker_0(port, starts, monkeypatch):
    """`free_ports` hands worker 0 ``port`` on the first ``starts`` starts, as if another
    program had taken a free port between its choice and the worker's start."""
    real_free_ports, calls = multi_worker.free_ports, []

    def free_ports_then_taken(count):
        calls.append(count)
        if len(calls) > starts:
            return real_free_ports(count)
        return [port, *real_free_ports(count - 1)]

    monkeypatch.setattr(multi_worker, "free_ports", free_ports_then_taken)


def test_a_port_taken_before_its_worker_listens_starts_the_workers_again(
        tmp_path, taken_port, monkeypatch, capsys):
    """Red team N066: the page ended in a WorkerError traceback, 'Could not start gRPC server',
    naming no port."""
    give_worker_0(taken_port, 1, monkeypatch)
    with WorkerGroup(python(LISTENS_ON_ITS_PORT), workers=2, log_dir=tmp_path,
                     timeout=30) as group:
        assert group.addresses[0] == f"localhost:{taken_port}"
        group.wait()
    said = capsys.readouterr().out
    assert said == (f"localhost:{taken_port} was taken by another program before worker 0 could "
                    f"listen on it; the 2 worker(s) start again on {', '.join(group.addresses)}\n")
    assert f"localhost:{taken_port}" not in group.addresses and group.starts == 2
    assert [process.returncode for process in group.processes] == [0, 0]
    assert group.log(0).startswith("listening on")


def test_a_port_taken_on_every_start_is_one_line_naming_it(tmp_path, taken_port, monkeypatch):
    give_worker_0(taken_port, STARTS, monkeypatch)
    with WorkerGroup(python(LISTENS_ON_ITS_PORT), workers=2, log_dir=tmp_path,
                     timeout=30) as group, pytest.raises(WorkerPortError) as error:
        group.wait()
    message = str(error.value)
    assert message.startswith(f"worker 0 could not listen on localhost:{taken_port}: another "
                              f"program took that port first, on each of {STARTS} starts")
    assert "\n" not in message and group.starts == STARTS
    assert all(process.poll() is not None for process in group.processes)


def test_a_tensorflow_worker_whose_port_is_taken_starts_again(tmp_path, taken_port, monkeypatch):
    """The same with a real MultiWorkerMirroredStrategy, which fails on a taken port."""
    code = ("import dlbook.tf_startup, tensorflow as tf\n"
            "strategy = tf.distribute.MultiWorkerMirroredStrategy()\n"
            "print('replicas', strategy.num_replicas_in_sync)")
    give_worker_0(taken_port, 1, monkeypatch)
    with WorkerGroup(python(code), workers=1, log_dir=tmp_path, timeout=120) as group:
        group.wait()
    assert group.starts == 2 and "replicas 1" in group.log(0)
