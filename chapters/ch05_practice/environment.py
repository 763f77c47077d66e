# %% [markdown]
# # Section 5.1 · Setting up the environment, checked
#
# Tutorial: section 5 · 开发环境搭建 (seed 003 §5.1)
#
# Before its LeNet listing, seed 003 sets up a machine: Anaconda, a conda environment with
# Python 3.8, then TensorFlow by the install command that matches the machine's CUDA version,
# taken from the official site, with one conda line as an example
# (`conda install tensorflow tensorflow-gpu -c pytorch -c conda-forge`), then pip installs of
# NumPy, pandas, scikit-learn, matplotlib, tqdm and Jupyter. Matching TensorFlow to the CUDA
# version is the right advice (below); followed today, the rest of the recipe fails or
# half-works:
#
# - **Python 3.8** reached its end of life in October 2024, and the libraries moved on: the
#   first cell below reads, from the installed packages themselves, the oldest Python each one
#   accepts (TensorFlow 2.21, Keras 3.15 and NumPy 2 all refuse 3.8). An environment made with
#   3.8 installs an old TensorFlow, or none.
# - **Two package managers in one environment**: what conda installs from several channels and
#   what pip installs afterwards do not know about each other. A library can end up twice, in two
#   builds, and which one a script imports depends on the order of the installs.
# - **The example's channels and package names**: `-c pytorch` is PyTorch's conda channel,
#   which holds no TensorFlow, so the packages can only come from conda-forge; and
#   `tensorflow-gpu` is a name TensorFlow has retired: since version 2.1 the `tensorflow` package
#   runs on a GPU itself, and on PyPI `tensorflow-gpu` now refuses to install, saying so.
# - **CUDA**: TensorFlow is built against particular CUDA and cuDNN versions; with others it
#   cannot load them, and runs on the CPU with a warning easily lost among its start-up lines.
#   That is why the seed says to match them. On Linux, pip installs the matching NVIDIA
#   libraries with TensorFlow itself: `pip install "tensorflow[and-cuda]"`.
# - **Versions**: a package installed by name alone is whatever is newest that day, so the same
#   commands install other versions next year. (pandas, scikit-learn and tqdm are used by none
#   of dlbook's pages.)
#
# dlbook asks for less. `make run` and `make test` create a virtual environment with the Python
# that is there (`python3 -m venv .venv`) and install this repository into it with pip
# (`pip install -e ".[dev]"`), at the versions `pyproject.toml` names. `make doctor` checks the
# machine first, even before the environment exists: that check is this page. It reads and
# probes; it writes nothing but this page's `results.json`.

# %%
import importlib.metadata
import platform
import sys
import time

from dlbook import doctor
from dlbook.cli import start_page
from dlbook.data import resolve_dataset

import tensorflow as tf

page = start_page("ch05_practice/environment", globals())

# %% [markdown]
# ## Python and the packages
#
# `pyproject.toml` says which Python dlbook needs (`requires-python`) and which versions of each
# package (`~=2.21.0`: 2.21.0 or a later 2.21.x; `>=1.26`: that or newer). Each installed
# package also declares the oldest Python it runs on: those declarations, printed below, are
# why the tutorial's Python 3.8 cannot run this code.

# %%
checks = [doctor.python_check(doctor.read_requirements()[0]), *doctor.package_checks()]
for check in checks:
    print(check)
print()
for name in doctor.CHECKED_PACKAGES:
    print(f"{name} {importlib.metadata.version(name)} runs on Python "
          f"{importlib.metadata.metadata(name)['Requires-Python']}")
page.record(python=platform.python_version(), executable=sys.executable,
            **{name: importlib.metadata.version(name) for name in doctor.CHECKED_PACKAGES})

# %% [markdown]
# ## The devices
#
# TensorFlow places every operation on a device: the CPU, whose operations use several threads,
# or a GPU when it finds one it was built for. Every chapter of dlbook is sized for two CPU cores
# without a GPU: a full run takes minutes. The usual first test of an installation is a
# computation; here one matrix product of two $1000 \times 1000$ matrices, $1000^3$
# multiply-adds or $2 \cdot 1000^3$ floating-point operations (FLOP), timed (after a first call
# that sets things up).

# %%
device_lines = doctor.device_checks()
for check in device_lines:
    print(check)
checks += device_lines

a = tf.random.normal((1000, 1000), seed=page.seed)
product = a @ a
start = time.perf_counter()
for _ in range(10):
    product = a @ a
_ = product.numpy()
gflops = 10 * 2 * 1000**3 / (time.perf_counter() - start) / 1e9
print(f"A @ A ran on {product.device}: {gflops:.1f} GFLOP/s in float32")
page.record(platform=platform.platform(), gpus=len(tf.config.list_physical_devices("GPU")),
            matmul_gflops=gflops)

# %% [markdown]
# ## The datasets
#
# Section 5.2's LeNet listing loads MNIST with `keras.datasets`, which downloads it (the other
# listings do not say which data they train on). dlbook looks on disk
# first (its cache, a folder named by an environment variable, Debian's Fashion-MNIST package)
# and downloads only what is missing; offline, `--dataset auto` falls back from MNIST to
# Fashion-MNIST and says so. The same search as the scripts', so what it reports is what they
# will find:

# %%
dataset_lines = doctor.dataset_checks()
for check in dataset_lines:
    print(check)
checks += dataset_lines
available = [check.topic for check in dataset_lines if check.ok]
image_dataset = resolve_dataset("auto") if {"mnist", "fashion_mnist"} & set(available) else None
page.record(datasets_available=available, image_dataset=image_dataset)

# %% [markdown]
# ## Plots
#
# Every script writes its figures as PNG files with matplotlib, without a window, so that it
# runs the same on a server; in a notebook they are also shown under their cell.

# %%
plot_lines = doctor.plot_checks()
for check in plot_lines:
    print(check)
checks += plot_lines
print(doctor.summary(checks))
page.record(missing=[check.topic for check in checks if not check.ok])

# %% [markdown]
# ## What to look at
#
# Every line should read `ok`, except perhaps MNIST or IMDB on a machine without internet:
# `--dataset auto` then uses Fashion-MNIST, and the text scripts another text set. A `missing`
# line says what to do. The figures go to `results.json`, so a README can quote the machine a
# run was measured on.

