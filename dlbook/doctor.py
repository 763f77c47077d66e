"""Section 5.1: is this machine ready for the chapters? ``make doctor`` answers, before all else.

Each check is one line marked ``ok`` or ``missing``, and a missing one says how to fix it:

* the Python that runs, against ``requires-python`` of ``pyproject.toml``, and the virtual
  environment ``make venv`` creates (``.venv``);
* the versions of TensorFlow, Keras, NumPy... installed, against ``pyproject.toml``'s
  ``dependencies``;
* the devices TensorFlow sees (CPU cores and threads, GPUs);
* the datasets: on disk, downloadable (and from where), or neither (`dlbook.data.sources`,
  `dlbook.data.text`);
* whether a plot can be drawn and the outputs folder written.

It writes nothing and finishes in seconds. On a fresh clone there is no ``.venv`` yet, so the
first part is plain standard-library Python, run by whatever ``python3`` is there as a file
(``python3 -I dlbook/doctor.py``): importing the ``dlbook`` package imports TensorFlow
(`dlbook.tf_startup`), which the system's Python usually lacks. When ``.venv`` exists, that part
runs this same file again with the venv's Python for the rest; inside the venv,
``python -m dlbook.doctor`` does everything at once.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
PYPROJECT = REPO_DIR / "pyproject.toml"
VENV_SIZE_GB = 3.0
"""Disk space ``make venv`` needs: TensorFlow and its dependencies take about 2.6 GB."""
CHECKED_PACKAGES = ("tensorflow", "keras", "numpy")
"""The packages whose versions matter most; every other dependency is checked as well."""
TOPIC_WIDTH = 24


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, whether it is fine, what was found, the fix."""

    topic: str
    ok: bool
    found: str
    fix: str = ""
    required: bool = True
    """False for what the chapters can do without (one dataset when another is there)."""

    def __str__(self) -> str:
        line = f"{'ok' if self.ok else 'missing':<9}{self.topic:<{TOPIC_WIDTH}}{self.found}"
        return line + (f"\n{'':{9 + TOPIC_WIDTH}}fix: {self.fix}" if self.fix and not self.ok
                       else "")


def release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``"2.21.0"`` -> ``(2, 21, 0)`` (a pre-release
    such as ``2.21.0rc1`` counts as its release)."""
    match = re.match(r"\d+(\.\d+)*", version.strip())
    if match is None:
        raise ValueError(f"not a version number: {version!r}")
    return tuple(int(part) for part in match.group().split("."))


def satisfies(version: str, specifiers: str) -> bool:
    """Whether ``version`` meets every comma-separated specifier (``"~=2.21.0"``, ``">=3.11"``,
    ``"!=3.14.1,>=3.11"``), as pip reads them (PEP 440) for plain release numbers.

    ``~=X.Y.Z`` is ``>=X.Y.Z`` with the same ``X.Y``; ``==X.*`` matches any ``X`` release. Written
    here because it runs before any package (``packaging``) is installed.
    """
    have = release(version)
    for specifier in filter(None, (part.strip() for part in specifiers.split(","))):
        operator, wanted = re.match(r"(~=|==|!=|>=|<=|>|<)\s*(.+)", specifier).groups()
        if wanted.endswith(".*"):
            prefix = release(wanted[:-2])
            same = have[:len(prefix)] == prefix
            if same != (operator == "=="):
                return False
            continue
        want = release(wanted)
        width = max(len(have), len(want))
        have_padded, want_padded = (v + (0,) * (width - len(v)) for v in (have, want))
        passed = {
            "==": have_padded == want_padded, "!=": have_padded != want_padded,
            ">=": have_padded >= want_padded, "<=": have_padded <= want_padded,
            ">": have_padded > want_padded, "<": have_padded < want_padded,
            "~=": have_padded >= want_padded and have[:len(want) - 1] == want[:-1],
        }[operator]
        if not passed:
            return False
    return True


def read_requirements(pyproject: Path = PYPROJECT) -> tuple[str, dict[str, str], dict[str, str]]:
    """``(requires-python, dependencies, dev tools)`` of ``pyproject.toml``'s ``[project]``, each
    package mapped to its specifiers (read with patterns, not ``tomllib``: that arrived in Python
    3.11, and this runs on any Python)."""
    text = pyproject.read_text(encoding="utf-8")
    python = re.search(r'^requires-python\s*=\s*"([^"]+)"', text, re.MULTILINE).group(1)
    groups = []
    for key in ("dependencies", "dev"):
        block = re.search(rf"^{key}\s*=\s*\[(.*?)\]", text, re.MULTILINE | re.DOTALL).group(1)
        requirements = {}
        for requirement in re.findall(r'^\s*"([^"]+)"', block, re.MULTILINE):
            name, specifiers = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)",
                                        requirement).groups()
            requirements[name.lower()] = specifiers.strip()
        groups.append(requirements)
    return python, groups[0], groups[1]


def python_check(requires: str, label: str = "Python") -> Check:
    """The running Python against ``requires-python``."""
    version = ".".join(map(str, sys.version_info[:3]))
    found = f"{version} ({sys.executable}); pyproject.toml asks {requires}"
    return Check(label, satisfies(version, requires), found,
                 f"install Python {requires} (python.org, pyenv, or your system's packages), "
                 f"then `make venv PYTHON=/path/to/python3`")


def venv_python(venv: Path) -> Path:
    """The Python of a virtual environment (``bin/python``, ``Scripts\\python.exe`` on Windows)."""
    windows = venv / "Scripts" / "python.exe"
    return windows if windows.exists() else venv / "bin" / "python"


def system_checks(venv: Path) -> list[Check]:
    """What the Python running outside the venv can tell: its version, whether it can create a
    venv, the free disk space, and whether ``make venv`` has been run."""
    requires = read_requirements()[0]
    checks = [python_check(requires, "system Python")]
    can_make_venv = all(importlib.util.find_spec(name) for name in ("venv", "ensurepip"))
    checks.append(Check(
        "venv module", can_make_venv,
        "`python3 -m venv` can create environments" if can_make_venv
        else "this Python lacks the venv/ensurepip modules",
        "install them (Debian, Ubuntu: `apt-get install python3-venv`)"))
    free_gb = shutil.disk_usage(REPO_DIR).free / 1e9
    checks.append(Check("disk space", free_gb >= VENV_SIZE_GB,
                        f"{free_gb:.1f} GB free in {REPO_DIR} (the venv takes about "
                        f"{VENV_SIZE_GB:.0f} GB)",
                        f"free at least {VENV_SIZE_GB:.0f} GB before `make venv`"))
    python = venv_python(venv)
    installed = (venv / ".installed-stamp").is_file()
    if not python.exists():
        found = f"{venv}/ does not exist yet"
    elif not installed:
        found = f"{venv}/ exists but `make venv` did not finish installing dlbook into it"
    else:
        found = f"{venv}/ with dlbook installed ({python})"
    checks.append(Check("virtual env", python.exists() and installed, found,
                        "`make venv` creates it and installs dlbook with its dependencies "
                        "(a few minutes; `make run` and `make test` do it too)"))
    return checks


def installed_version(name: str) -> str | None:
    """The version of the distribution ``name`` installed for this Python, None if absent."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def package_checks() -> list[Check]:
    """The installed version of each package ``pyproject.toml`` asks for, against its
    specifiers: TensorFlow, Keras and NumPy first, the tools of ``make test`` last."""
    _, runtime, dev = read_requirements()
    wanted = {**runtime, **dev}
    fix = "`make venv` (re)installs the versions pyproject.toml asks for"
    checks = []
    for name in (*CHECKED_PACKAGES, *(name for name in wanted if name not in CHECKED_PACKAGES)):
        asks = f"pyproject.toml asks {wanted[name] or 'any version'}"
        purpose = " (a dev tool: tests, book)" if name in dev else ""
        version = installed_version(name)
        if version is None:
            checks.append(Check(name, False, f"not installed; {asks}{purpose}", fix))
        else:
            ok = satisfies(version, wanted[name]) if wanted[name] else True
            checks.append(Check(name, ok, f"{version}; {asks}{purpose}", fix))
    return checks


def device_checks() -> list[Check]:
    """The CPU cores this process may use and the devices TensorFlow sees; importing TensorFlow
    (through dlbook, without its start-up notices) is itself the first check."""
    try:
        import dlbook  # noqa: F401  (imports TensorFlow quietly)

        import tensorflow as tf
    except ImportError as error:
        return [Check("TensorFlow", False, f"does not import: {error}",
                      "`make venv` reinstalls it (or delete .venv and run `make venv`)")]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    threads = tf.config.threading.get_intra_op_parallelism_threads() or cores
    cpus = tf.config.list_physical_devices("CPU")
    gpus = tf.config.list_physical_devices("GPU")
    checks = [Check("CPU", bool(cpus), f"{cores} cores usable ({os.cpu_count()} in the machine); "
                    f"TensorFlow sees {len(cpus)} CPU device, up to {threads} threads per "
                    f"operation")]
    if gpus:
        names = ", ".join(tf.config.experimental.get_device_details(gpu).get("device_name",
                                                                              gpu.name)
                          for gpu in gpus)
        checks.append(Check("GPU", True, f"{len(gpus)}: {names}"))
    else:
        cuda = "built with CUDA" if tf.test.is_built_with_cuda() else "built without CUDA"
        checks.append(Check("GPU", True, f"none ({cuda}): training runs on the CPU, which every "
                            "chapter is sized for (a full run takes minutes on 2 cores)"))
    return checks


def image_dataset_check(name: str, reachable: bool) -> Check:
    """One image dataset: on disk and whole (all four files read, as a page reads them), else
    downloadable, else what to do. Files that are there but damaged, or hold the other dataset,
    are a problem to fix: ``auto`` would take them and the page would stop."""
    from dlbook.data.images import read_arrays
    from dlbook.data.sources import DATASETS, FILES, cache_dir, locate
    from dlbook.errors import DlbookError

    spec = DATASETS[name]
    try:
        files = locate(name)
        if files:
            read_arrays(files)
    except DlbookError as error:
        return Check(name, False, " ".join(str(error).split()),
                     f"replace the damaged files (delete them and run `python -m dlbook.data "
                     f"download {name}`), or point {spec.env_var} to a folder of good ones")
    if files:
        found = f"on disk in {files[FILES[0]].parent}"
    elif reachable:
        found = f"not on disk; downloadable from {spec.url} into {cache_dir(spec)}/"
    else:
        found = f"not on disk, and {spec.url} cannot be reached"
    return Check(name, bool(files) or reachable, found,
                 f"put its four files ({', '.join(FILES)}, gzipped or not) in "
                 f"{cache_dir(spec)}/ or set {spec.env_var} to their folder", required=False)


def imdb_check(reachable: bool) -> Check:
    """IMDB: on disk (where), else downloadable, else the fix and the offline stand-in."""
    from dlbook.config import data_dir
    from dlbook.data.text import IMDB_URL, LAYOUT, SYNTHETIC, locate_imdb

    imdb = locate_imdb()
    if imdb:
        found = f"on disk in {imdb}"
    elif reachable:
        found = f"not on disk; downloadable from {IMDB_URL}"
    else:
        found = f"not on disk, and {IMDB_URL} cannot be reached"
    return Check("imdb", bool(imdb) or reachable, found,
                 f"unpack aclImdb_v1.tar.gz into {data_dir()}/ (the layout {LAYOUT}); "
                 f"meanwhile the text scripts use `--dataset {SYNTHETIC}` (generated "
                 "reviews) or a folder or table of texts of your own", required=False)


def dataset_checks() -> list[Check]:
    """Each dataset: on disk (where), else downloadable (from where), else what to do; the
    searches are `dlbook.data`'s own, so this says what a chapter script will find."""
    from concurrent.futures import ThreadPoolExecutor

    from dlbook.data.download import is_reachable
    from dlbook.data.sources import DATASETS
    from dlbook.data.text import IMDB_URL

    probes = {name: spec.url + "train-labels-idx1-ubyte.gz" for name, spec in DATASETS.items()}
    probes["imdb"] = IMDB_URL
    with ThreadPoolExecutor(len(probes)) as pool:  # offline, each probe waits for its timeout
        reachable = dict(zip(probes, pool.map(is_reachable, probes.values()), strict=True))
    checks = [image_dataset_check(name, reachable[name]) for name in DATASETS]
    if not any(check.ok for check in checks):
        checks.append(Check("image data", False, "neither MNIST nor Fashion-MNIST can be had, "
                            "and the image chapters need one of them",
                            "`apt-get install dataset-fashion-mnist` (Debian, Ubuntu), or put "
                            "one dataset's files in place as said above"))
    return [*checks, imdb_check(reachable["imdb"])]


def plot_checks() -> list[Check]:
    """Whether matplotlib draws a PNG (in memory) and the outputs folder can be written."""
    import io

    from dlbook.config import output_root

    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.subplots().plot([0, 1])
    png = io.BytesIO()
    figure.savefig(png, format="png")
    drawn = png.getvalue().startswith(b"\x89PNG")
    root = output_root()
    existing = next(folder for folder in (root, *root.parents) if folder.exists())
    writable = existing.is_dir() and os.access(existing, os.W_OK)
    if existing.is_dir():
        state = f"{root}/ {'is' if writable else 'is not'} writable"
    else:
        state = f"{root}/ cannot be made: {existing} is a file, not a folder"
    return [Check("plots", drawn and writable,
                  f"matplotlib {matplotlib.__version__} draws PNGs without a display; {state}",
                  f"make {existing} a folder you can write, or set DLBOOK_OUTPUT_DIR to one")]


def environment_checks() -> list[Check]:
    """Every check that needs the installed packages, in the venv (or any Python that has them)."""
    requires = read_requirements()[0]
    in_venv = sys.prefix != sys.base_prefix
    checks = [python_check(requires, "venv Python" if in_venv else "Python"),
              *package_checks()]
    if not all(check.ok for check in checks if check.topic in CHECKED_PACKAGES):
        return checks  # the rest imports them
    checks += device_checks()
    if checks[-1].ok:
        checks += dataset_checks() + plot_checks()
    return checks


def summary(checks: list[Check]) -> str:
    """The last line: ready, or how many things are missing."""
    needed = [check.topic for check in checks if not check.ok and check.required]
    optional = [check.topic for check in checks if not check.ok and not check.required]
    if needed:
        return (f"not ready: {len(needed)} missing ({', '.join(needed)}); fix them in the order "
                "listed")
    if optional:
        return (f"ready, without {', '.join(optional)}: the chapters use the data that is here "
                "and say so")
    return "ready: every check passed"


def main(argv: list[str] | None = None) -> int:
    """Print the report; 0 when it could be made (whatever it found), 1 if the venv's part failed.

    Run from outside the venv it checks the system's Python, then hands over to the venv's
    Python for the rest (``--venv``, default ``.venv``); inside a venv, or with ``--here``, it
    checks the running Python's packages directly.
    """
    parser = argparse.ArgumentParser(prog="make doctor", description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=REPO_DIR / ".venv",
                        help="the virtual environment of `make venv` (default .venv)")
    parser.add_argument("--here", action="store_true",
                        help="check the packages of the Python running this (for the venv's "
                             "part of the report)")
    args = parser.parse_args(argv)
    if args.here or sys.prefix != sys.base_prefix:
        checks = environment_checks()
        for check in checks:
            print(check, flush=True)
        print(summary(checks))
        return 0
    print("dlbook doctor (section 5.1): is this machine ready for the chapters?")
    checks = system_checks(args.venv)
    for check in checks:
        print(check, flush=True)
    if not checks[-1].ok:  # no venv yet: what this Python has, for information
        versions = {name: installed_version(name) for name in CHECKED_PACKAGES}
        print(f"{'':9}{'system packages':<{TOPIC_WIDTH}}"
              + ", ".join(f"{name} {version or 'not installed'}"
                          for name, version in versions.items())
              + " (the chapters use the venv's own)")
        print(summary(checks))
        return 0
    print(f"in the venv ({venv_python(args.venv)}):", flush=True)
    return subprocess.run([str(venv_python(args.venv)), "-I", __file__, "--here"],
                          cwd=REPO_DIR).returncode

if __name__ == "__main__":
    sys.exit(main())
