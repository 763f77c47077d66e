"""`make run`, the main job, on a fresh machine (issue 21): with no copy of Fashion-MNIST on disk
it provisions one first, as `make test` does; with a copy on disk it leaves the provisioning
(and the TensorFlow import of its check) out. Read from make's dry run, which runs nothing."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROVISIONING = "scripts/provision-fashion-mnist.sh"
MAIN_JOB = "chapters/ch05_practice/lenet.py --page-epochs 0"


def dry_run(on_disk: str) -> str:
    done = subprocess.run(["make", "-n", "--no-print-directory", "run",
                           f"FASHION_MNIST_ON_DISK={on_disk}"],
                          cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout


def test_with_no_copy_on_disk_make_run_provisions_fashion_mnist_before_training():
    commands = dry_run("")
    assert PROVISIONING in commands and MAIN_JOB in commands
    assert commands.index(PROVISIONING) < commands.index(MAIN_JOB)


def test_with_a_copy_on_disk_make_run_goes_straight_to_training():
    commands = dry_run("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
    assert PROVISIONING not in commands and MAIN_JOB in commands
