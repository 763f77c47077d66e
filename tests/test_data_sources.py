"""Where the image datasets come from: source order, checksummed atomic download, ``auto``.

Every test runs in an isolated world: an empty cache, no ``DLBOOK_*_DIR`` variables, a fake Debian
folder, and a ``file://`` "server" holding small generated datasets with their checksums.
"""

import shutil
import urllib.request
from dataclasses import replace

from dlbook.data import (
    CorruptFileError,
    DatasetNotFoundError,
    InvalidDataError,
    UnknownDatasetError,
    load_arrays,
    resolve_dataset,
    sources,
)
from dlbook.data.__main__ import main as cli
from dlbook.data.download import sha256_of
from dlbook.data.sources import DATASETS, FILES

import numpy as np
import pytest
from idx_fixtures import write_dataset


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("DLBOOK_DATA_DIR", str(tmp_path / "cache"))
    for name, spec in DATASETS.items():
        monkeypatch.delenv(spec.env_var, raising=False)
        server = tmp_path / "server" / name
        write_dataset(server, num_train=20, num_test=10, seed=1)
        checksums = {path.name: sha256_of(path) for path in server.iterdir()}
        monkeypatch.setitem(DATASETS, name, replace(
            spec, url=server.as_uri() + "/", sha256=checksums,
            system_dir=tmp_path / "debian" / name if spec.system_dir else None))
    return tmp_path


def go_offline(world):
    shutil.rmtree(world / "server")


def train_images(name, **kwargs):
    return load_arrays(name, **kwargs)[0][0]


def test_named_folder_beats_debian_folder_beats_download(world):
    served = write_dataset(world / "server" / "fashion_mnist", 20, 10, seed=1)
    debian = write_dataset(world / "debian" / "fashion_mnist", 20, 10, seed=2)
    local = write_dataset(world / "mine", 20, 10, seed=3)

    np.testing.assert_array_equal(train_images("fashion_mnist", data_dir=world / "mine"),
                                  local[FILES[0]])
    np.testing.assert_array_equal(train_images("fashion_mnist"), debian[FILES[0]])
    shutil.rmtree(world / "debian")
    np.testing.assert_array_equal(train_images("fashion_mnist"), served[FILES[0]])
    assert sorted(p.name for p in (world / "cache" / "fashion_mnist").iterdir()) == sorted(
        f"{stem}.gz" for stem in FILES)


@pytest.mark.parametrize("how", ["data_dir", "DLBOOK_FASHION_MNIST_DIR"])
def test_a_named_folder_is_the_only_one_used(world, monkeypatch, how):
    write_dataset(world / "debian" / "fashion_mnist", 20, 10, seed=2)  # would be a fallback
    write_dataset(world / "mine", 20, 10, seed=3)
    (world / "mine" / "t10k-labels-idx1-ubyte.gz").unlink()
    options = {"data_dir": world / "mine"} if how == "data_dir" else {}
    if how != "data_dir":
        monkeypatch.setenv(how, str(world / "mine"))
    with pytest.raises(DatasetNotFoundError, match=rf"fashion_mnist: {how}=.*mine lacks "
                                                   r"t10k-labels-idx1-ubyte.gz \(gzipped"):
        load_arrays("fashion_mnist", **options)
    with pytest.raises(DatasetNotFoundError, match="lacks train-images-idx3-ubyte.gz, "):
        load_arrays("fashion_mnist", data_dir=world / "misspelled")


def test_files_of_the_other_dataset_are_refused(world, monkeypatch):
    write_dataset(world / "fashion", 20, 10, like="fashion_mnist")
    write_dataset(world / "digits", 20, 10, like="mnist")
    with pytest.raises(InvalidDataError, match=r"fashion holds fashion_mnist .*not mnist: pass "
                                               r"dataset=fashion_mnist"):
        load_arrays("mnist", data_dir=world / "fashion")
    monkeypatch.setenv("DLBOOK_FASHION_MNIST_DIR", str(world / "digits"))
    with pytest.raises(InvalidDataError, match="digits holds mnist .*, not fashion_mnist"):
        load_arrays("fashion_mnist")


def test_auto_with_a_named_folder_takes_what_the_folder_holds(world, monkeypatch, capsys):
    monkeypatch.setattr(sources, "is_reachable", lambda url: pytest.fail("probed the network"))
    write_dataset(world / "debian" / "fashion_mnist", 20, 10)
    write_dataset(world / "digits", 20, 10, like="mnist")
    write_dataset(world / "clothes", 20, 10, like="fashion_mnist")
    write_dataset(world / "other", 20, 10)
    assert resolve_dataset("auto", world / "digits") == "mnist"
    assert resolve_dataset("auto", world / "clothes") == "fashion_mnist"
    assert "the files in" in capsys.readouterr().out
    with pytest.raises(UnknownDatasetError, match="neither MNIST nor Fashion-MNIST; name"):
        resolve_dataset("auto", world / "other")
    with pytest.raises(DatasetNotFoundError, match="lacks train-images-idx3-ubyte.gz"):
        resolve_dataset("auto", world / "empty")


def test_env_folder_and_cache_beat_debian_folder(world, monkeypatch):
    debian = write_dataset(world / "debian" / "fashion_mnist", 20, 10, seed=2)
    cached = write_dataset(world / "cache" / "fashion_mnist", 20, 10, seed=4, gzip=False)
    env = write_dataset(world / "env", 20, 10, seed=5)
    monkeypatch.setenv("DLBOOK_FASHION_MNIST_DIR", str(world / "env"))
    np.testing.assert_array_equal(train_images("fashion_mnist"), env[FILES[0]])
    monkeypatch.delenv("DLBOOK_FASHION_MNIST_DIR")
    np.testing.assert_array_equal(train_images("fashion_mnist"), cached[FILES[0]])
    assert not np.array_equal(cached[FILES[0]], debian[FILES[0]])


def test_download_is_reused_on_the_next_call(world):
    (x_train, y_train), (x_test, y_test) = load_arrays("mnist")
    assert x_train.shape == (20, 28, 28) and x_test.shape == (10, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8
    go_offline(world)
    (x_again, _), _ = load_arrays("mnist")
    np.testing.assert_array_equal(x_again, x_train)


def test_checksum_mismatch_saves_nothing(world, monkeypatch):
    spec = DATASETS["mnist"]
    bad = {**spec.sha256, "train-images-idx3-ubyte.gz": "0" * 64}
    monkeypatch.setitem(DATASETS, "mnist", replace(spec, sha256=bad))
    with pytest.raises(CorruptFileError, match=r"images-idx3-ubyte.gz: SHA-256 \w+, expected 0+"):
        load_arrays("mnist")
    assert list((world / "cache" / "mnist").iterdir()) == []


def test_interrupted_download_saves_nothing(world, monkeypatch):
    real_urlopen = urllib.request.urlopen

    class Interrupted:
        def __init__(self, reply):
            self.reply, self.calls = reply, 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.reply.close()

        def read(self, size):
            self.calls += 1
            if self.calls > 1:
                raise ConnectionResetError("connection reset by peer")
            return self.reply.read(10)

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Interrupted(
        real_urlopen(url, timeout=timeout)))
    with pytest.raises(DatasetNotFoundError, match="connection reset"):
        load_arrays("mnist")
    assert list((world / "cache" / "mnist").iterdir()) == []


def test_offline_error_names_the_files_the_folder_and_the_variable(world):
    go_offline(world)
    with pytest.raises(DatasetNotFoundError) as error:
        load_arrays("mnist")
    message = str(error.value)
    for stem in FILES:
        assert f"{stem}.gz" in message
    assert str(world / "cache" / "mnist") in message and "DLBOOK_MNIST_DIR" in message
    assert not any((world / "cache" / "mnist").iterdir())


def test_auto_prefers_mnist_when_it_can_be_downloaded(world, capsys):
    write_dataset(world / "debian" / "fashion_mnist", 20, 10)
    assert resolve_dataset("auto") == "mnist"
    assert "mnist (MNIST can be downloaded" in capsys.readouterr().out


def test_auto_takes_mnist_on_disk_without_probing(world, monkeypatch, capsys):
    write_dataset(world / "cache" / "mnist", 20, 10)
    monkeypatch.setattr(sources, "is_reachable", lambda url: pytest.fail("probed the network"))
    assert resolve_dataset("auto") == "mnist"
    assert "MNIST is on disk" in capsys.readouterr().out


def test_auto_falls_back_to_fashion_mnist_offline(world, monkeypatch, capsys):
    write_dataset(world / "debian" / "fashion_mnist", 20, 10)
    monkeypatch.setattr(sources, "is_reachable", lambda url: False)
    assert resolve_dataset("auto") == "fashion_mnist"
    assert "fashion_mnist (MNIST is not on disk and" in capsys.readouterr().out


def test_auto_with_nothing_available(world, monkeypatch):
    monkeypatch.setattr(sources, "is_reachable", lambda url: False)
    with pytest.raises(DatasetNotFoundError, match="Fashion-MNIST is not on disk either"):
        resolve_dataset("auto")


def test_named_dataset_is_never_substituted(world, capsys):
    write_dataset(world / "debian" / "fashion_mnist", 20, 10)
    go_offline(world)
    assert resolve_dataset("mnist") == "mnist"
    assert resolve_dataset("Fashion-MNIST") == "fashion_mnist"
    assert capsys.readouterr().out == ""
    with pytest.raises(DatasetNotFoundError, match="mnist: the files are not on disk"):
        load_arrays("mnist")


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset 'cifar10'; known: mnist, fashion_mnist"):
        resolve_dataset("cifar10")
    with pytest.raises(ValueError, match="known: mnist, fashion_mnist"):
        load_arrays("cifar10")


def test_cli_locate_and_download(world, capsys):
    go_offline(world)
    assert cli(["locate", "fashion_mnist"]) == 1
    assert cli(["download", "mnist"]) == 1
    assert "DLBOOK_MNIST_DIR" in capsys.readouterr().err
    write_dataset(world / "debian" / "fashion_mnist", 20, 10, gzip=False)
    assert cli(["locate", "fashion_mnist"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(world / "debian" / "fashion_mnist" / stem) for stem in FILES]


def test_dlbook_offline_probes_and_fetches_nothing(world, monkeypatch, capsys):
    monkeypatch.setenv("DLBOOK_OFFLINE", "1")  # the "server" is there, but may not be used
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("used the network"))
    with pytest.raises(DatasetNotFoundError, match="DLBOOK_OFFLINE=1 forbids the network"):
        load_arrays("mnist")
    cache = world / "cache" / "mnist"
    assert not cache.exists() or not any(cache.iterdir())
    write_dataset(world / "debian" / "fashion_mnist", 20, 10)
    assert resolve_dataset("auto") == "fashion_mnist"
