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
worker that fails, Ctrl-C, its time limit) the ones still running are killed when it closes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dlbook.config import PACKAGE_DIR
from dlbook.errors import DlbookError

TRACEBACK = "Traceback (most recent call last):"
ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception|Interrupt))\b", re.MULTILINE)


class WorkerError(RuntimeError):
    """A worker process failed or ran past its time; the message ends with its last log lines."""


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports of localhost that nothing listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("localhost", 0))  # port 0: the system picks a free one
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_config(addresses: Sequence[str], index: int) -> str:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of workers at ``addresses``
    (``host:port`` each), as JSON."""
    if not 0 <= index < len(addresses):
        raise ValueError(f"worker index {index} outside a cluster of {len(addresses)} workers")
    return json.dumps({"cluster": {"worker": list(addresses)},
                       "task": {"type": "worker", "index": index}})


def page_path(script: str) -> Path:
    """The file of the chapter script ``script`` (``"ch08_trends/distributed"``), which the
    workers run; it works from a notebook too, which has no ``__file__``."""
    path = PACKAGE_DIR.parent / "chapters" / f"{script}.py"
    if not path.is_file():
        raise DlbookError(f"the workers run {path}, which is missing; run the page from a "
                          "checkout of dlbook installed with `pip install -e .`")
    return path


def worker_command(args: argparse.Namespace, *own_flags: str) -> list[str]:
    """The command that runs the page of ``args`` (`dlbook.cli.chapter_args`) again with the same
    shared flags (dataset, epochs, batch size, seed, folders, ``--quick``) and ``own_flags``."""
    command = [sys.executable, str(page_path(args.script)), *own_flags,
               "--dataset", str(args.dataset), "--epochs", str(args.epochs),
               "--batch-size", str(args.batch_size), "--seed", str(args.seed),
               "--validation-fraction", str(args.validation_fraction),
               "--output-dir", str(args.output_dir)]
    if args.data_dir is not None:
        command += ["--data-dir", str(args.data_dir)]
    if args.quick:
        command.append("--quick")
    return command


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
        self._deadline = 0.0

    def start(self) -> WorkerGroup:
        """Start every worker, each told its place in the cluster by ``TF_CONFIG``."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.addresses = [f"localhost:{port}" for port in free_ports(self.workers)]
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
        self.wait_until(lambda: all(p.poll() is not None for p in self.processes))
        self._raise_if_one_failed()

    def wait_until(self, condition: Callable[[], bool], poll_seconds: float = 0.05) -> None:
        """Return as soon as ``condition()`` is true; raise `WorkerError` (after stopping the
        others) if a worker fails first or the time limit comes."""
        while not condition():
            self._raise_if_one_failed()
            if time.monotonic() > self._deadline:
                self.stop()
                raise self._error(0, f"was stopped: the workers ran past {self.timeout:g} s")
            time.sleep(poll_seconds)

    def _raise_if_one_failed(self) -> None:
        for index, process in enumerate(self.processes):
            if process.poll() not in (None, 0):
                self.stop()
                raise self._error(index, f"exited with status {process.returncode}")

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
