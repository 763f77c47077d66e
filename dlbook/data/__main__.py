"""``python -m dlbook.data locate NAME`` prints where a dataset's files are (exit 1 if absent);
``python -m dlbook.data download NAME`` fetches them into the cache unless they are on disk.
"""

from __future__ import annotations

import argparse
import sys

from dlbook.data.errors import DatasetNotFoundError
from dlbook.data.sources import DATASETS, fetch, locate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlbook.data", description=__doc__)
    parser.add_argument("command", choices=["locate", "download"])
    parser.add_argument("name", choices=list(DATASETS))
    parser.add_argument("--data-dir", default=None, help="folder holding the files")
    args = parser.parse_args(argv)
    try:
        files = (locate if args.command == "locate" else fetch)(args.name, args.data_dir)
    except DatasetNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    if files is None:
        print(f"{args.name}: not on disk (`python -m dlbook.data download {args.name}` fetches it)",
              file=sys.stderr)
        return 1
    for path in files.values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
