"""``python -m dlbook.data locate NAME`` prints where a dataset's files are (exit 1 if absent);
``python -m dlbook.data download NAME [--data-dir DIR]`` fetches them into DIR (default: the
cache) unless they are on disk.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dlbook.data.errors import DatasetNotFoundError
from dlbook.data.sources import (
    DATASETS,
    cache_dir,
    dataset,
    download_files,
    locate,
    missing_message,
)
from dlbook.data.text import imdb_builder, locate_imdb


def find(name: str, data_dir: str | None, download: bool) -> list | None:
    """The dataset's files (or IMDB's folder), fetching them first if ``download``."""
    if name == "imdb":
        folder = locate_imdb(data_dir)
        if folder is None and download:
            folder = Path(imdb_builder(data_dir).data_dir)
        return [folder] if folder else None
    files = locate(name, data_dir)
    if files is None and download:
        spec = dataset(name)
        try:
            files = download_files(spec, Path(data_dir) if data_dir else cache_dir(spec))
        except OSError as error:
            raise DatasetNotFoundError(missing_message(spec, error)) from error
    return list(files.values()) if files else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlbook.data", description=__doc__)
    parser.add_argument("command", choices=["locate", "download"])
    parser.add_argument("name", choices=[*DATASETS, "imdb"])
    parser.add_argument("--data-dir", default=None, help="folder holding the files")
    args = parser.parse_args(argv)
    try:
        paths = find(args.name, args.data_dir, download=args.command == "download")
    except DatasetNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    if paths is None:
        print(f"{args.name}: not on disk (`python -m dlbook.data download {args.name}` fetches it)",
              file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
