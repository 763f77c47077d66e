"""`make doctor` and its page (section 5.1): version rules read as pip reads them, pyproject.toml
read as tomllib reads it, the report on a fresh clone (no venv) and through the venv."""

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from dlbook import doctor

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = getattr(sys, "_base_executable", sys.executable)
"""The Python the venv was made from: the one `make doctor` runs on a fresh clone."""

VERSIONS = ["1.26.4", "2.20.9", "2.21", "2.21.0", "2.21.3", "2.22.0", "3.0", "3.10.13", "3.11.0",
            "3.14.1", "3.15.1"]


@pytest.mark.parametrize("specifiers", ["~=2.21.0", "~=3.15", ">=3.11", ">=1.26", "==2.21.*",
                                        "!=3.14.1,>=3.11", "<3", ">2.21", "<=2.21", "==3.0.0",
                                        "!=2.*"])
def test_version_rules_agree_with_packaging(specifiers):
    for version in VERSIONS:
        expected = SpecifierSet(specifiers).contains(version, prereleases=True)
        assert doctor.satisfies(version, specifiers) == expected, version


def test_pyproject_is_read_as_tomllib_reads_it():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    python, runtime, dev = doctor.read_requirements()
    assert python == project["requires-python"]
    for ours, listed in ((runtime, project["dependencies"]),
                         (dev, project["optional-dependencies"]["dev"])):
        requirements = [Requirement(line) for line in listed]
        assert set(ours) == {requirement.name.lower() for requirement in requirements}
        for requirement in requirements:
            assert SpecifierSet(ours[requirement.name.lower()]) == requirement.specifier


def test_a_python_too_old_is_missing_with_the_fix():
    check = doctor.python_check(">=99")
    assert not check.ok
    assert "install Python >=99" in str(check) and "make venv" in str(check)


def test_fresh_clone_the_report_runs_on_the_system_python_and_creates_nothing(tmp_path):
    venv = tmp_path / "venv"
    report = subprocess.run([SYSTEM_PYTHON, "-I", str(REPO / "dlbook" / "doctor.py"),
                             "--venv", str(venv)], capture_output=True, text=True, cwd=tmp_path,
                            timeout=60)
    assert report.returncode == 0, report.stderr
    assert report.stderr == ""
    lines = report.stdout.splitlines()
    assert lines[1].startswith("ok       system Python")
    assert any(line.startswith("missing  virtual env") and "does not exist" in line
               for line in lines)
    assert "fix: `make venv` creates it" in report.stdout
    assert "system packages" in report.stdout and "tensorflow" in report.stdout
    disk_is_short = any(line.startswith("missing  disk space") for line in lines)
    assert lines[-1].startswith("not ready: 2 missing (disk space, virtual env)" if disk_is_short
                                else "not ready: 1 missing (virtual env)")
    assert list(tmp_path.iterdir()) == []  # no venv, no file


@pytest.mark.parametrize("free_gb, ok", [(2.9, False), (3.0, True), (50.0, True)])
def test_the_disk_check_asks_for_the_space_the_venv_takes(monkeypatch, tmp_path, free_gb, ok):
    usage = SimpleNamespace(total=100e9, used=100e9 - free_gb * 1e9, free=free_gb * 1e9)
    monkeypatch.setattr(doctor.shutil, "disk_usage", lambda path: usage)
    disk = next(check for check in doctor.system_checks(tmp_path / "venv")
                if check.topic == "disk space")
    assert disk.ok == ok
    assert f"{free_gb:.1f} GB free" in str(disk)
    assert ("free at least 3 GB before `make venv`" in str(disk)) == (not ok)


def test_make_doctor_works_before_the_venv_exists(tmp_path):
    venv = tmp_path / "venv"
    report = subprocess.run(["make", "--no-print-directory", "doctor", f"VENV={venv}",
                             f"PYTHON={SYSTEM_PYTHON}"], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert report.returncode == 0, report.stderr
    assert f"missing  virtual env             {venv}/ does not exist yet" in report.stdout
    assert not venv.exists()


def test_the_report_hands_over_to_the_venv_python(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "bin" / "python").chmod(0o755)
    (venv / ".installed-stamp").touch()
    report = subprocess.run([SYSTEM_PYTHON, "-I", str(REPO / "dlbook" / "doctor.py"),
                             "--venv", str(venv)], capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    assert f"in the venv ({venv / 'bin' / 'python'})" in report.stdout
    for package in doctor.CHECKED_PACKAGES:
        assert f"ok       {package:<24}" in report.stdout
    assert "ok       fashion_mnist" in report.stdout  # provisioned by `make test`
    assert report.stdout.splitlines()[-1].startswith("ready")


def test_the_venv_checks_see_the_packages_devices_datasets_and_plots(monkeypatch, tmp_path,
                                                                     capsys):
    from idx_fixtures import write_dataset

    write_dataset(tmp_path / "digits", like="mnist")
    monkeypatch.setenv("DLBOOK_MNIST_DIR", str(tmp_path / "digits"))
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path / "outputs"))
    assert doctor.main(["--here"]) == 0
    report = capsys.readouterr().out
    assert f"ok       mnist                   on disk in {tmp_path / 'digits'}" in report
    assert "ok       CPU" in report and "ok       GPU" in report
    assert f"{tmp_path / 'outputs'}/ is writable" in report
    assert not (tmp_path / "outputs").exists()  # checked, not created


def test_datasets_nowhere_to_be_had_are_missing_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_MNIST_DIR", str(tmp_path))
    monkeypatch.setenv("DLBOOK_FASHION_MNIST_DIR", str(tmp_path))
    monkeypatch.setattr("dlbook.data.download.is_reachable", lambda url: False)
    checks = {check.topic: check for check in doctor.dataset_checks()}
    assert not checks["mnist"].ok and "DLBOOK_MNIST_DIR" in checks["mnist"].fix
    assert not checks["image data"].ok and checks["image data"].required
    assert doctor.summary(list(checks.values())).startswith("not ready")


def test_damaged_or_truncated_dataset_files_are_missing_not_a_crash_nor_ok(monkeypatch,
                                                                             tmp_path):
    """N086: the doctor crashed on a $DLBOOK_MNIST_DIR of damaged files; N088: it called a
    Fashion-MNIST whose images file is a truncated gzip 'ok, on disk'."""
    from idx_fixtures import write_dataset

    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        (tmp_path / "garbage").mkdir(exist_ok=True)
        (tmp_path / "garbage" / name).write_bytes(bytes(range(256)) * 4)
    write_dataset(tmp_path / "truncated", like="fashion_mnist")
    images = tmp_path / "truncated" / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:5000])
    monkeypatch.setenv("DLBOOK_MNIST_DIR", str(tmp_path / "garbage"))
    monkeypatch.setenv("DLBOOK_FASHION_MNIST_DIR", str(tmp_path / "truncated"))
    monkeypatch.setattr("dlbook.data.download.is_reachable", lambda url: False)
    checks = {check.topic: check for check in doctor.dataset_checks()}
    assert not checks["mnist"].ok and "not an IDX file" in checks["mnist"].found
    assert not checks["fashion_mnist"].ok
    assert "train-images-idx3-ubyte.gz: damaged gzip data" in checks["fashion_mnist"].found
    assert "DLBOOK_FASHION_MNIST_DIR" in checks["fashion_mnist"].fix
    assert checks["fashion_mnist"].required
    assert doctor.summary(list(checks.values())).startswith("not ready")


def test_an_output_path_that_is_a_file_is_not_writable(monkeypatch, tmp_path):
    """N087: with DLBOOK_OUTPUT_DIR naming a file, the doctor said 'is writable', 'ready', and
    every page then failed."""
    (tmp_path / "a_file").write_text("not a folder")
    for output in (tmp_path / "a_file", tmp_path / "a_file" / "below"):
        monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(output))
        (check,) = doctor.plot_checks()
        assert not check.ok and check.required
        assert f"cannot be made: {tmp_path / 'a_file'} is a file, not a folder" in check.found
    monkeypatch.setenv("DLBOOK_OUTPUT_DIR", str(tmp_path / "outputs"))
    assert doctor.plot_checks()[0].ok


def test_environment_page_quick(quick_chapters):
    import tensorflow as tf

    run = quick_chapters["ch05_practice/environment"]
    results = run.results()
    assert results["tensorflow"] == tf.__version__
    assert "fashion_mnist" in results["datasets_available"]
    assert results["matmul_gflops"] > 0
    assert "keras 3" in run.stdout
