"""The learner's progress, kept in ``workspace/progress.json`` (git ignores it): for each exercise
checked on an attempt, whether the last check passed, how many checks ran and when the last did.
The file is replaced atomically, so an interrupted write never leaves half of it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from dlbook.errors import DlbookError
from dlbook.exercises.catalog import CHAPTERS, chapter_exercises, workspace_dir
from dlbook.exercises.core import PASSED
from dlbook.exercises.i18n import _, columns, pad


class ProgressFileError(DlbookError):
    """A progress file that cannot be read."""


def progress_file() -> Path:
    return workspace_dir() / "progress.json"


def load() -> dict[str, dict]:
    """Every exercise checked so far, ``{"4.1": {"status": "passed", "checks": 3, ...}}``."""
    path = progress_file()
    try:
        entries = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ProgressFileError(_("{path} cannot be read ({error}); delete it to count your "
                                  "progress afresh").format(path=path, error=error)) from None
    if not isinstance(entries, dict):
        raise ProgressFileError(_("{path} holds no progress table; delete it to count your "
                                  "progress afresh").format(path=path))
    return entries


def record(number: str, status: str) -> None:
    """Count a check of exercise ``number`` that ended with ``status`` (passed or failed)."""
    entries = load()
    entry = entries.get(number, {})
    entries[number] = {"status": status, "checks": int(entry.get("checks", 0)) + 1,
                       "last": time.strftime("%Y-%m-%d %H:%M:%S")}
    path = progress_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n")
    os.replace(temporary, path)


def table() -> str:
    """Passed, tried (checked but not passed) and not started, per chapter, and what is next."""
    entries = load()
    header = (_("chapter"), _("exercises"), _("passed"), _("tried"), _("not started"))
    rows, totals, next_up = [], [0, 0, 0, 0], None
    for chapter, (_folder, title) in CHAPTERS.items():
        numbers = [exercise.number for exercise in chapter_exercises(chapter)]
        statuses = [entries.get(number, {}).get("status") for number in numbers]
        counts = [len(numbers), statuses.count(PASSED),
                  sum(status not in (None, PASSED) for status in statuses), statuses.count(None)]
        rows.append((f"{chapter} {_(title)}", *counts))
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
        if next_up is None:
            next_up = next((n for n, s in zip(numbers, statuses, strict=True) if s != PASSED),
                           None)
    rows.append((_("total"), *totals))
    width = max(columns(text) for text in (header[0], *(row[0] for row in rows)))
    lines = [pad(header[0], width) + "  " + "  ".join(pad(name, 11, ">") for name in header[1:])]
    lines += [pad(row[0], width) + "  " + "  ".join(f"{count:>11}" for count in row[1:])
              for row in rows]
    if next_up:
        lines.append(_("next: exercise {number}").format(number=next_up))
    else:
        lines.append(_("every exercise passed"))
    return "\n".join(lines)
