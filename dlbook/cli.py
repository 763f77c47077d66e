"""The command line of the chapter pages: a page's constants become its flags.

A page names its hyperparameters as constants at its top (``EPOCHS = 10``, ``BATCH_SIZE = 128``)
and calls `start_page`, which turns each into a flag (``--epochs``, ``--batch-size``), writes the
flags' values back into the constants, seeds the run and gives the page its output folder. The
Makefile maps ``make ch05-lenet EPOCHS=3 DATASET=mnist QUICK=1`` onto these flags. A flag out of
range stops the page at once with a one-line error (exit status 2), before anything loads. Run as
a notebook, a page takes its flags from ``$DLBOOK_ARGS`` (``DLBOOK_ARGS=--quick``).

This is the only module of dlbook that knows about flags: the library names a setting as a Python
caller writes it (``data_dir=/x``), and `command_line_words` rewrites that as the flag
(``--data-dir /x``) when a page prints an error.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import re
import shlex
import sys
import typing
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import dlbook.tf_startup  # noqa: F401  (a page's later `import keras` finds TensorFlow imported quietly)
from dlbook.config import PACKAGE_DIR, output_dir
from dlbook.errors import EXIT_STATUS, report_expected_errors
from dlbook.notebook import in_notebook
from dlbook.results import update_results

QUICK_LIMIT = 2048
"""Training examples a ``--quick`` run uses: enough to see the loss fall in a few seconds."""


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (no usage block), exit status 2."""

    def error(self, message: str):
        self.exit(EXIT_STATUS, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    """An integer >= 1, for ``--epochs`` and ``--batch-size``."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: expected a whole number of at least 1")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0, for ``--page-epochs`` and such."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value}: expected a whole number of at least 0")
    return value


def seed(text: str) -> int:
    """A seed NumPy and TensorFlow both take: an integer from 0 to 2**32 - 1."""
    value = non_negative_int(text)
    if value >= 2**32:
        raise argparse.ArgumentTypeError(f"{value}: expected a whole number from 0 to "
                                         f"{2**32 - 1:,}")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1), for ``--validation-fraction``."""
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{value}: expected a fraction from 0 up to (not "
                                         "including) 1, e.g. 0.1")
    return value


# -- a page's settings: the constants at its top ---------------------------------------------

SETTING_LINE = re.compile(r"^(?P<name>[A-Z][A-Z0-9_]*)\s*(?::[^=]*)?=[^#]*(?:#\s*(?P<help>.*))?$")
"""A constant at the start of a line of a page, and the comment after it (its flag's help)."""

SETTING_TYPES = (bool, int, float, str, tuple)
"""The values a constant may hold to become a flag (or None and paths, when annotated so); a
tuple holds whole numbers, such as ``IMAGE_SIZE = (28, 28)``."""


@dataclass
class Page:
    """A running page: the settings its constants do not hold, where it writes, what it records.

    ``limit`` is the number of training examples a ``--quick`` run uses (None: all of them);
    `data_options` are the keyword arguments the loaders of `dlbook.data` take for this run.
    """

    name: str
    output_dir: Path
    quick: bool
    seed: int
    command: str
    restart: bool = False
    data_dir: Path | None = None
    validation_fraction: float = 0.1
    limit: int | None = None
    settings: dict[str, object] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)

    @property
    def data_options(self) -> dict[str, object]:
        """``limit``, ``seed``, ``validation_fraction`` and ``data_dir`` for `dlbook.data`."""
        return {"limit": self.limit, "seed": self.seed,
                "validation_fraction": self.validation_fraction, "data_dir": self.data_dir}

    def record(self, **figures: object) -> Path:
        """Add ``figures`` to what this run measured and write them all to ``results.json``,
        with the command and the settings that produced them (`make bench`, the chapter READMEs
        and the tests read that file). The first call of a run replaces the file: until then it
        still describes the last run that measured something (a run refused before training
        leaves it alone)."""
        self.figures |= figures
        return update_results(self.output_dir / "results.json", command=self.command,
                              quick=self.quick, settings=self.settings, **self.figures)


def start_page(
    name: str,
    constants: dict[str, object],
    *,
    resumable: bool = False,
    may_be_zero: Collection[str] = (),
    argv: Sequence[str] | None = None,
) -> Page:
    """Read a page's flags into its constants, seed the run and give it its output folder.

    ``name`` is ``"<chapter folder>/<page>"`` (``"ch05_practice/lenet"``), ``constants`` the
    page's ``globals()``. Each UPPER_CASE constant defined so far that holds a bool, a number or
    a string becomes a flag (``BATCH_SIZE = 128`` -> ``--batch-size``, the comment after it is
    its help) and is overwritten with the flag's value. Numbers must be positive unless named
    in ``may_be_zero``; a constant annotated ``Literal["lstm", "gru"]`` takes one of those
    values, one annotated ``Path | None`` a path. ``QUICK = {"EPOCHS": 1}`` says what ``--quick``
    changes (by default ``EPOCHS`` becomes 1); ``--quick`` also limits the training data to
    `QUICK_LIMIT` examples. A page with a ``DATASET`` also takes ``--data-dir`` and
    ``--validation-fraction``, a ``resumable`` one (it checkpoints) ``--restart``; every page
    takes ``--quick``, ``--seed`` and ``--output-dir``.
    """
    chapter, page_name = name.split("/")
    imported = imported_names(page_source(name))
    settings = {key: value for key, value in page_settings(constants).items()
                if key not in imported}
    parser = page_parser(name, settings, constants.get("__annotations__", {}),
                         resumable=resumable, may_be_zero=may_be_zero)
    flags = [action.dest for action in parser._actions if action.dest != "help"]
    report_expected_errors(f"{page_name}.py", lambda message: command_line_words(message, flags))
    argv = list(page_argv(page_name) if argv is None else argv)
    args = parser.parse_args(argv)
    given = [arg.split("=")[0] for arg in argv if arg.startswith("--")]
    if twice := sorted({flag for flag in given if given.count(flag) > 1}):
        parser.error(f"{', '.join(twice)} given more than once; give each flag once")
    quick = constants.get("QUICK", {"EPOCHS": 1} if "EPOCHS" in settings else {})
    for constant in settings:
        value = getattr(args, constant.lower())
        if args.quick and constant in quick and not _given(constant, argv):
            value = quick[constant]
        constants[constant] = settings[constant] = value
    if getattr(args, "data_dir", None) is not None and not args.data_dir.is_dir():
        parser.error(f"--data-dir {args.data_dir}: no such folder")
    folder = _writable_output_dir(parser, args.output_dir or output_dir(
        chapter, page_name + ("-quick" if args.quick else "")))
    seed_keras(args.seed)
    page = Page(name=name, output_dir=folder, quick=args.quick, seed=args.seed,
                command=shlex.join(["python", f"chapters/{name}.py", *argv]),
                restart=getattr(args, "restart", False), data_dir=getattr(args, "data_dir", None),
                validation_fraction=getattr(args, "validation_fraction", 0.1),
                limit=QUICK_LIMIT if args.quick else None,
                settings={key: value for key, value in settings.items()
                          if isinstance(value, (*SETTING_TYPES, Path))})
    return page


def page_constants(path: Path) -> tuple[dict[str, object], bool]:
    """The literal constants a page sets before `start_page`, read from its source without
    running it (annotated ones also named in ``__annotations__``), and whether it starts with
    ``resumable=True``."""
    constants, annotations, resumable = {}, {}, False
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        call = node.value if isinstance(node, ast.Assign | ast.Expr) else None
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "start_page":
            resumable = any(keyword.arg == "resumable" and ast.literal_eval(keyword.value)
                            for keyword in call.keywords)
            break
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        if isinstance(target, ast.Name):
            with contextlib.suppress(ValueError, SyntaxError):
                constants[target.id] = ast.literal_eval(node.value)
            if isinstance(node, ast.AnnAssign):
                annotations[target.id] = None
    return {**constants, "__annotations__": annotations}, resumable


def page_flags(path: Path) -> dict[str, bool]:
    """The flags a page takes, read from its source without running it (each flag: whether it
    takes a value), so that ``make ch04 EPOCHS=3`` gives each page only the flags it has."""
    constants, resumable = page_constants(path)
    parser = page_parser(f"{path.parent.name}/{path.stem}", page_settings(constants), {},
                         resumable=resumable)
    return {flag: action.nargs != 0 for action in parser._actions
            for flag in action.option_strings if flag not in ("-h", "--help")}


def imported_names(source: str) -> set[str]:
    """The names a page's import statements bind: an imported constant is not a setting."""
    return {alias.asname or alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}


def page_settings(constants: dict[str, object]) -> dict[str, object]:
    """The constants of a page that become flags: UPPER_CASE names (``QUICK`` apart) holding a
    bool, a number or a string, or annotated (``CNN: Path | None = None``)."""
    annotated = constants.get("__annotations__", {})
    return {key: value for key, value in constants.items()
            if key.isupper() and key != "QUICK" and not key.startswith("_")
            and (isinstance(value, SETTING_TYPES) or key in annotated)}


def page_parser(name: str, settings: dict[str, object], annotations: dict[str, object], *,
                resumable: bool = False, may_be_zero: Collection[str] = ()) -> OneLineParser:
    """The parser of a page's flags: one per setting, then those that come with a dataset or
    with checkpoints, then the ones every page takes."""
    chapter, page_name = name.split("/")
    source = page_source(name)
    helps = setting_helps(source)
    parser = OneLineParser(prog=f"{page_name}.py", description=page_title(source))
    for constant, default in settings.items():
        help_text = f"{helps[constant]} (default {default})" if constant in helps else (
            f"default {default}")
        parser.add_argument(f"--{flag_of(constant)}", dest=constant.lower(), default=default,
                            help=help_text, **_parsing(constant, default, annotations.get(constant),
                                                       constant in may_be_zero))
    if "DATASET" in settings:
        parser.add_argument("--data-dir", type=_path, default=None,
                            help="the folder holding the dataset's files (used as given)")
        parser.add_argument("--validation-fraction", type=fraction, default=0.1,
                            help="share of the training set held out for validation (at most "
                                 "5,000 examples), default 0.1")
    if resumable:
        parser.add_argument("--restart", action="store_true",
                            help="delete this run's checkpoints and train from the first epoch")
    parser.add_argument("--quick", action="store_true", help="a few seconds on a small subset")
    parser.add_argument("--seed", type=seed, default=0, help="default 0")
    parser.add_argument("--output-dir", type=_path, default=None,
                        help=f"default outputs/{chapter}/{page_name}/")
    return parser


def _parsing(name: str, default: object, annotation: object, may_be_zero: bool
             ) -> dict[str, object]:
    """How argparse reads a setting, from its default value or its annotation."""
    if typing.get_origin(annotation) is typing.Literal:
        return {"choices": typing.get_args(annotation)}
    if isinstance(default, Path) or any(isinstance(kind, type) and issubclass(kind, Path)
                                        for kind in typing.get_args(annotation)):
        return {"type": _path, "metavar": "PATH"}
    if isinstance(default, bool):
        return {"action": argparse.BooleanOptionalAction}
    kinds = {annotation, typing.get_origin(annotation), *typing.get_args(annotation),
             *map(typing.get_origin, typing.get_args(annotation))}
    if isinstance(default, tuple) or tuple in kinds:
        return {"type": whole_numbers, "metavar": ("x" if "SIZE" in name else ",").join(
            ["N"] * max(len(default or ()), 2))}
    if isinstance(default, int):
        return {"type": non_negative_int if may_be_zero else positive_int}
    if isinstance(default, float):
        return {"type": non_negative_float if may_be_zero else positive_float}
    return {"type": str}


def flag_of(constant: str) -> str:
    """``BATCH_SIZE`` -> ``batch-size``."""
    return constant.lower().replace("_", "-")


def _given(constant: str, argv: Sequence[str]) -> bool:
    flag = f"--{flag_of(constant)}"
    return any(arg == flag or arg.startswith(f"{flag}=") for arg in argv)


def page_source(name: str) -> str:
    """The text of ``chapters/<name>.py`` ("" for a page that is not in the repository)."""
    path = PACKAGE_DIR.parent / "chapters" / f"{name}.py"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def page_title(source: str) -> str | None:
    """The page's title: its first markdown heading (``# # Section 5.2 · LeNet``)."""
    match = re.search(r"^# # (.+)$", source, re.M)
    return match.group(1) if match else None


def setting_helps(source: str) -> dict[str, str]:
    """The comment after each constant of a page: ``EPOCHS = 10  # passes over the data``."""
    matches = (SETTING_LINE.match(line) for line in source.splitlines())
    return {match["name"]: match["help"] for match in matches if match and match["help"]}


def page_argv(page_name: str) -> list[str]:
    """The flags of a page: ``$DLBOOK_ARGS`` in a notebook, the command line in a script."""
    if not in_notebook():
        return sys.argv[1:]
    try:
        return shlex.split(os.environ.get("DLBOOK_ARGS", ""))
    except ValueError as error:
        OneLineParser(prog=f"{page_name}.py").error(f"$DLBOOK_ARGS: {error}")


def _path(text: str) -> Path:
    """A folder or file name given as a flag, ``~`` expanded; an empty one is refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty name; name a folder or file")
    return Path(text).expanduser()


def _writable_output_dir(parser: OneLineParser, folder: Path) -> Path:
    """``folder``, created if missing, once a file can be written in it (checked now, not when
    the first plot is saved after training)."""
    if folder.exists() and not folder.is_dir():
        parser.error(f"--output-dir {folder}: this is a file, not a folder; name a folder (it is "
                     "created if missing)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        parser.error(f"--output-dir {folder}: cannot write there ({error.strerror}); name "
                     "another folder")
    return folder


def seed_keras(seed: int) -> None:
    """Seed Keras and TensorFlow (and through them Python and NumPy's global generator),
    deterministically (`dlbook.config.set_seed`), when the page uses them: imported by now. A
    page that uses NumPy alone draws from ``np.random.default_rng(page.seed)``."""
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        from dlbook.config import set_seed

        set_seed(seed)


def command_line_words(message: str, flags: Collection[str]) -> str:
    """The library's ``data_dir=/x`` and ``restart=True`` in an error, as the flags
    ``--data-dir /x`` and ``--restart`` of a page that has them."""
    for dest in flags:
        flag = "--" + dest.replace("_", "-")
        message = re.sub(rf"(?<![\w-]){dest}=True\b", flag, message)
        message = re.sub(rf"(?<![\w-]){dest}=", f"{flag} ", message)
    return message


def whole_numbers(text: str) -> tuple[int, ...]:
    """Sizes such as ``28x28``, ``28,28`` or ``(28, 28)``: whole numbers of at least 1."""
    parts = [part for part in re.split(r"[x,\s()]+", text.strip()) if part]
    try:
        values = tuple(int(part) for part in parts)
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected whole numbers of at least 1, such as "
                                         "28x28")
    return values


def non_negative_float(text: str) -> float:
    """A number >= 0."""
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{value}: expected a number of at least 0")
    return value


def positive_float(text: str) -> float:
    """A number > 0, such as a learning rate."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value}: expected a number above 0")
    return value
