"""Start the workers of a ``tf.distribute.MultiWorkerMirroredStrategy`` on this machine (section 8:
distributed training).

Every worker is a process running the same program. The environment variable ``TF_CONFIG`` tells
each one the whole cluster and its own place in it, for example the second of two workers::

    {"cluster": {"worker": ["localhost:41231", "localhost:41232"]},
     "task": {"type": "worker", "index": 1}}

Worker 0 is the chief: it writes the checkpoints and logs (`dlbook.training.Trainer`). Here every
address is a free port of ``localhost``; on real machines each is ``host:port`` of one machine,
every machine gets the same ``cluster`` and its own ``index``, and the checkpoint folder is one
they can all read (a network file system, a bucket).

`WorkerGroup` starts the processes and never leaves one behind: whatever happens (an error, a
worker that fails, Ctrl-C, its time limit) the ones still running are killed when it closes. A
port is free when it is chosen, but another program can take it before the worker, which first
imports TensorFlow, listens on it; the group then starts its workers again on other free ports
and says so in one line.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dlbook.errors import DlbookError

TRACEBACK = "Traceback (most recent call last):"
ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception|Interrupt))\b", re.MULTILINE)


STARTS = 3
"""How many times `WorkerGroup` starts its workers when another program takes one of their ports
first."""


class WorkerError(RuntimeError):
    """A worker process failed or ran past its time; the message ends with its last log lines."""


class WorkerPortError(DlbookError):
    """Other programs took the workers' ports, on every start, before the workers could listen."""


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports that nothing listens on right now, on any address of this
    machine (a TensorFlow worker listens on all of them, ``0.0.0.0:<port>``)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("", 0))  # port 0: the system picks a free one
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_in_use(port: int) -> bool:
    """Whether a program listens on ``port`` now (connections that were closed on it, which
    linger for a minute, do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("", port))
        except OSError:
            return True
    return False


def tf_config(addresses: Sequence[str], index: int) -> str:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of workers at ``addresses``
    (``host:port`` each), as JSON."""
    if not 0 <= index < len(addresses):
        raise ValueError(f"worker index {index} outside a cluster of {len(addresses)} workers")
    return json.dumps({"cluster": {"worker": list(addresses)},
                       "task": {"type": "worker", "index": index}})


class WorkerGroup:
    """``workers`` processes running ``command``, worker ``i`` with its ``TF_CONFIG``, its output
    in ``log_dir/worker-<i>.log``, all stopped at the latest ``timeout`` seconds after the start.

    Use it as a context manager: leaving the block kills every worker still running.
    """

    def __init__(self, command: Sequence[str], workers: int, log_dir: str | Path,
                 timeout: float) -> None:
        if workers < 1:
            raise ValueError(f"workers={workers}: expected at least 1")
        self.command = list(command)
        self.workers = workers
        self.log_dir = Path(log_dir)
        self.timeout = timeout
        self.addresses: list[str] = []
        self.processes: list[subprocess.Popen] = []
        self.starts = 0
        self._deadline = 0.0

    def start(self) -> WorkerGroup:
        """Start every worker on free ports, each told its place in the cluster by
        ``TF_CONFIG``."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.addresses = [f"localhost:{port}" for port in free_ports(self.workers)]
        self.processes = []
        self.starts += 1
        self._deadline = time.monotonic() + self.timeout
        for index in range(self.workers):
            environment = {**os.environ, "TF_CONFIG": tf_config(self.addresses, index),
                           "PYTHONUNBUFFERED": "1"}
            with self.log_path(index).open("w") as log:
                self.processes.append(subprocess.Popen(
                    self.command, env=environment, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL))
        return self

    def log_path(self, index: int) -> Path:
        return self.log_dir / f"worker-{index}.log"

    def log(self, index: int, full_traceback: bool = True) -> str:
        """What worker ``index`` printed so far. With ``full_traceback=False`` a Python traceback
        (and all after it) is cut to one line that names its error and the log that holds it."""
        text = self.log_path(index).read_text(errors="replace")
        before, mark, traceback = text.partition(TRACEBACK)
        if full_traceback or not mark:
            return text
        lines = len((mark + traceback).splitlines())
        error = ERROR_LINE.search(traceback)
        ending = f"ending in {error.group(1)}" if error else "cut short when the worker stopped"
        return (f"{before}[a traceback of {lines} line{'s' * (lines != 1)}, {ending}: "
                f"read {self.log_path(index)}]\n")

    def wait(self) -> None:
        """Return when every worker has exited with status 0. A worker that fails, or the time
        limit, stops the others and raises `WorkerError`."""
        self.wait_until(lambda: all(process.poll() == 0 for process in self.processes))

    def wait_until(self, condition: Callable[[], bool], poll_seconds: float = 0.05) -> None:
        """Return as soon as ``condition()`` is true; raise `WorkerError` (after stopping the
        others) if a worker fails first or the time limit comes. A worker that failed because
        another program listens on its port starts the group again (`start_again`)."""
        while not condition():
            self._raise_if_one_failed()
            if time.monotonic() > self._deadline:
                self.stop()
                raise self._error(0, f"was stopped: the workers ran past {self.timeout:g} s")
            time.sleep(poll_seconds)

    def _raise_if_one_failed(self) -> None:
        failed = [index for index, process in enumerate(self.processes)
                  if process.poll() not in (None, 0)]
        if not failed:
            return
        self.stop()
        index = failed[0]
        if port_in_use(int(self.addresses[index].rpartition(":")[2])):
            self.start_again(index)
        else:
            raise self._error(index, f"exited with status {self.processes[index].returncode}")

    def start_again(self, index: int) -> None:
        """Start the stopped workers again on other free ports, as worker ``index``'s was taken
        by another program (one line says so); after `STARTS` starts, a one-line
        `WorkerPortError` naming the port."""
        taken = self.addresses[index]
        if self.starts >= STARTS:
            raise WorkerPortError(
                f"worker {index} could not listen on {taken}: another program took that port "
                f"first, on each of {STARTS} starts on free ports; see what listens there "
                "(`ss -ltnp`) and run again")
        self.start()
        print(f"{taken} was taken by another program before worker {index} could listen on "
              f"it; the {self.workers} worker(s) start again on {', '.join(self.addresses)}")

    def kill(self, index: int) -> None:
        """Kill worker ``index`` at once (SIGKILL), as if its machine were lost."""
        self.processes[index].kill()
        self.processes[index].wait()

    def stop(self) -> None:
        """Kill every worker still running, and reap them all."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
        for process in self.processes:
            process.wait()

    def _error(self, index: int, what: str) -> WorkerError:
        tail = "".join(self.log(index).splitlines(keepends=True)[-15:])
        return WorkerError(f"worker {index} {what}; the end of {self.log_path(index)}:\n{tail}")

    def __enter__(self) -> WorkerGroup:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
