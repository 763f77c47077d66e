#!/usr/bin/env bash
# Make sure Fashion-MNIST is on disk for the integration tests (`make data`, run by `make test`):
# already there (cache or Debian's folder) -> done; else Debian's package dataset-fashion-mnist
# through apt-get (as root or with password-less sudo); else the checksummed download.
# Usage: scripts/provision-fashion-mnist.sh PYTHON
set -u
python="${1:-python3}"
export TF_CPP_MIN_LOG_LEVEL=3

locate() { "$python" -m dlbook.data locate fashion_mnist 2>/dev/null | head -n 1; }

if found=$(locate) && [ -n "$found" ]; then
    echo "Fashion-MNIST: already available in $(dirname "$found")"
    exit 0
fi

as_root=none
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif sudo -n true 2>/dev/null; then
    as_root="sudo -n"
fi
if [ "$as_root" != none ] && command -v apt-get >/dev/null; then
    echo "Fashion-MNIST: not on disk; installing Debian's package dataset-fashion-mnist"
    apt_install() {
        $as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1
    }
    apt_install || { $as_root apt-get update -q >/dev/null 2>&1 && apt_install; }
    if found=$(locate) && [ -n "$found" ]; then
        echo "Fashion-MNIST: installed in $(dirname "$found")"
        exit 0
    fi
    echo "Fashion-MNIST: apt-get could not install dataset-fashion-mnist"
fi

echo "Fashion-MNIST: downloading it with $python -m dlbook.data download fashion_mnist"
if "$python" -m dlbook.data download fashion_mnist >/dev/null; then
    echo "Fashion-MNIST: downloaded to $(dirname "$(locate)")"
    exit 0
fi
echo "Fashion-MNIST could not be provisioned: apt-get was unavailable or failed," \
    "and so did the download (see above)." >&2
exit 1
