"""The checker: run the learner's function on inputs that cover the edge cases, compare it with the
reference solution, and when it is wrong, say where and name the mistake if it is a known one.

An `Exercise` holds the reference solution, the inputs (`Case`: large logits, a batch of one, odd
sizes, zero gradients...) and the known mistakes (`Mistake`: a wrong variant of the solution, or
the error a wrong solution raises, each with its own hint). `run_check` runs the learner's
function on every input in turn and stops at the first whose output differs from the
reference's beyond the tolerance; the mistake recognised is the one whose variant gives the
learner's output there. A function whose body is still ``...`` (or that raises
``NotImplementedError``) is "not attempted yet".

This module imports NumPy only: the exercises of NumPy code run without TensorFlow.
"""

from __future__ import annotations

import copy
import dis
import functools
import linecache
import re
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from dlbook.exercises.i18n import _, columns, fill, pad, wrap

import numpy as np

NOT_ATTEMPTED, PASSED, FAILED = "not attempted", "passed", "failed"
"""The three ways a check ends (`Outcome.status`)."""

WIDTH = 96
"""Printed lines are wrapped to this many columns."""


@dataclass(frozen=True)
class Case:
    """One input: what it tests, in words (marked with ``N_``), and a function that makes fresh
    arguments for one call, so that a function that changes its inputs changes only its own."""

    label: str
    make: Callable[[], tuple]


def case(label: str, *args: object) -> Case:
    """A `Case` of plain values (arrays, numbers, lists), copied for every call."""
    return Case(label, functools.partial(copy.deepcopy, args))


@dataclass(frozen=True)
class Mistake:
    """A known wrong solution and the hint that goes with it.

    ``answer`` is the wrong solution itself (same arguments as the exercise's function): the
    learner made this mistake when their output equals its output where they differ from the
    reference. ``raises`` is for a mistake that ends in an error instead: a regular expression
    matched against ``"ErrorType: message"``.
    """

    name: str
    hint: str
    answer: Callable | None = None
    raises: str | None = None


@dataclass(frozen=True)
class Exercise:
    """One exercise: the function the learner writes (``function``, its name on the page), the
    reference solution, the inputs and the known mistakes.

    ``outputs`` names the parts of a tuple the function returns, for the messages (a name in
    words is marked with ``N_``, and the messages translate it). ``observe``
    turns a call into what is compared (by default the value returned; a training step is judged
    by the loss it returns and the weights it leaves). Floats are compared with ``rtol`` and
    ``atol`` (`numpy.isclose`), integers and booleans exactly, ``exact_dtypes`` also compares the
    integer types (``int8``).
    """

    number: str
    function: str
    reference: Callable
    cases: Callable[[], Sequence[Case]]
    mistakes: Sequence[Mistake]
    hint: str
    rtol: float = 1e-6
    atol: float = 1e-9
    outputs: tuple[str, ...] = ()
    observe: Callable[[Callable, tuple], object] | None = None
    exact_dtypes: bool = False

    @property
    def chapter(self) -> str:
        return self.number.split(".")[0]

    def tolerance(self) -> str:
        if self.rtol == self.atol == 0:
            return _("exactly")
        return _("within rtol {rtol:g}, atol {atol:g}").format(rtol=self.rtol, atol=self.atol)


@dataclass(frozen=True)
class Outcome:
    """How a check ended: its status, the text printed, and the recognised mistake's name."""

    number: str
    status: str
    message: str
    mistake: str | None = None


@dataclass(frozen=True)
class Difference:
    """Where an output differs from the reference (``path`` into a tuple, dict or list) and a
    description for the learner."""

    path: tuple = ()
    text: str = ""


@dataclass
class Failure:
    """The first input on which the learner's function went wrong."""

    index: int
    case: Case
    args: tuple
    expected: object = None
    got: object = None
    error: BaseException | None = None
    difference: Difference = field(default_factory=Difference)


class NotAttempted(Exception):
    """The learner's function is still the stub."""


def is_stub(function: Callable) -> bool:
    """True for a function whose body does nothing but return None (``...``, ``pass``, a
    docstring): the stub of the page, untouched."""
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    steps = [(step.opname, step.argval) for step in dis.get_instructions(code)
             if step.opname not in ("RESUME", "NOP", "CACHE")]
    return steps in ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])


@contextmanager
def quiet_numpy() -> Iterator[None]:
    """No warnings while the checks run: an overflow shows as inf or nan in the output."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def observe(exercise: Exercise, function: Callable, args: tuple) -> object:
    """What the check compares for one call of ``function``, a tuple's parts named."""
    if exercise.observe is not None:
        return exercise.observe(function, args)
    return function(*args)


# ------------------------------------------------------------------------------------------------
# Comparing an output with the reference's


def show(value: object) -> str:
    """A short, readable form of a value for the messages."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple | np.ndarray | np.generic | int | float | bool):
        array = _numbers(value)
        if array is not None:
            if array.size > 40:
                return _("an array of shape {shape}").format(shape=array.shape)
            with np.printoptions(precision=5, threshold=40, edgeitems=3, linewidth=WIDTH - 14):
                return np.array2string(array, separator=", ")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {show(part)}" for key, part in value.items()) + "}"
    return _("a {kind} object").format(kind=type(value).__name__)


def expected_and_got(expected: object, got: object) -> str:
    """Two lines (or more, for arrays): the expected value above the value got, aligned."""
    lines = []
    for label, value in ((_("expected"), expected), (_("got"), got)):
        label = pad(label, 8) + " "
        lines.append(label + show(value).replace("\n", "\n" + " " * columns(label)))
    return "\n".join(lines)


def _numbers(value: object) -> np.ndarray | None:
    """The value as an array of numbers (None if it is not one)."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return None
    return array if array.dtype.kind in "biuf" else None


def _kind_difference(expected: np.ndarray, got: np.ndarray, exact: bool) -> str | None:
    if expected.dtype.kind == "b" and got.dtype.kind != "b":
        return _("expected True/False values (a boolean array), got {dtype}").format(
            dtype=got.dtype)
    if expected.dtype.kind in "iu" and got.dtype.kind not in "iu":
        return _("expected whole numbers (an integer type), got {dtype}").format(dtype=got.dtype)
    if exact and expected.dtype.kind in "iu" and got.dtype != expected.dtype:
        return _("expected {expected} values, got {got}").format(expected=expected.dtype,
                                                                 got=got.dtype)
    return None


def _value_difference(expected: object, got: object, exercise: Exercise) -> str | None:
    """Why ``got`` is not ``expected`` (a number or an array), or None if it is."""
    if got is None:
        return _("returned None: does the function end with `return`?")
    expected_array, got_array = _numbers(expected), _numbers(got)
    if got_array is None:
        return _("expected {expected}, got {got}").format(expected=show(expected), got=show(got))
    problem = _kind_difference(expected_array, got_array, exercise.exact_dtypes)
    if problem is None and expected_array.shape != got_array.shape:
        problem = _("expected shape {expected}, got shape {got}").format(
            expected=expected_array.shape, got=got_array.shape)
    if problem is not None:
        return f"{problem}\n" + expected_and_got(expected, got)
    if expected_array.dtype.kind in "biu":
        close = expected_array == got_array
    else:
        close = np.isclose(got_array, expected_array, rtol=exercise.rtol, atol=exercise.atol,
                           equal_nan=True)
    if np.all(close):
        return None
    text = expected_and_got(expected, got)
    if expected_array.ndim:
        where = tuple(int(i) for i in np.argwhere(~close)[0])
        text += "\n" + _("first difference at {index}: expected {expected}, got {got}").format(
            index=list(where), expected=show(expected_array[where]), got=show(got_array[where]))
    return text


def difference(expected: object, got: object, exercise: Exercise,
               path: tuple = ()) -> Difference | None:
    """The first place where ``got`` differs from ``expected``: into dicts and lists, then value
    by value. None if they agree within the exercise's tolerance."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or list(got) != list(expected):
            keys = list(got) if isinstance(got, dict) else show(got)
            return Difference(path, _("expected a dict with the keys {expected}, got {got}")
                              .format(expected=list(expected), got=keys))
        parts = ((key, expected[key], got[key]) for key in expected)
    elif isinstance(expected, list):
        if not isinstance(got, list | tuple) or len(got) != len(expected):
            return Difference(path, _("expected a list of {n} arrays, got {got}").format(
                n=len(expected), got=show(got)))
        parts = ((index, expected[index], got[index]) for index in range(len(expected)))
    else:
        text = _value_difference(expected, got, exercise)
        return None if text is None else Difference(path, text)
    for key, expected_part, got_part in parts:
        found = difference(expected_part, got_part, exercise, (*path, key))
        if found is not None:
            return found
    return None


def named(exercise: Exercise, value: object) -> object:
    """A returned tuple as a dict of its named parts (`Exercise.outputs`), to compare part by
    part; anything else unchanged."""
    if exercise.outputs and isinstance(value, tuple | list) and len(value) == len(
            exercise.outputs):
        return dict(zip(exercise.outputs, value, strict=True))
    return value


def compare(exercise: Exercise, expected: object, got: object) -> Difference | None:
    """`difference` of two outputs, a tuple of the wrong length said plainly."""
    if exercise.outputs and named(exercise, got) is got:
        return Difference((), _("expected a tuple of {n} values ({names}), got {got}").format(
            n=len(exercise.outputs), names=", ".join(exercise.outputs), got=show(got)))
    return difference(named(exercise, expected), named(exercise, got), exercise)


def part(value: object, path: tuple) -> object:
    """The part of an output at ``path`` (None if the output has no such part)."""
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def path_text(path: tuple) -> str:
    """``("clipped gradients", 1)`` -> ``clipped gradients[1]``; a name of an output's part
    (`Exercise.outputs`, marked with ``N_``) in the language of the moment."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) or text else _(str(key))
    return text


# ------------------------------------------------------------------------------------------------
# Running a check


def _first_failure(exercise: Exercise, function: Callable) -> Failure | None:
    """Run the function on every input; the first that goes wrong, or None."""
    cases = exercise.cases()
    for index, one in enumerate(cases, start=1):
        expected = observe(exercise, exercise.reference, one.make())
        args = one.make()
        try:
            got = observe(exercise, function, args)
        except NotImplementedError:
            raise NotAttempted from None
        except Exception as error:  # the learner's code: any error is a result to report
            return Failure(index, one, one.make(), expected=expected, error=error)
        found = compare(exercise, expected, got)
        if found is not None:
            return Failure(index, one, one.make(), expected, got, difference=found)
    return None


def _output_of(exercise: Exercise, answer: Callable, args: tuple) -> object:
    """What ``answer`` gives on ``args`` (its parts named), or None if it fails there."""
    try:
        return named(exercise, observe(exercise, answer, args))
    except Exception:  # a wrong variant that fails on this input explains nothing here
        return None


def _explains(exercise: Exercise, mistake: Mistake, failure: Failure) -> bool:
    """Whether the mistake gives what the learner got on the failing input: the same error, or
    the same value where the learner's output differs from the reference's."""
    if failure.error is not None:
        said = f"{type(failure.error).__name__}: {failure.error}"
        return mistake.raises is not None and re.search(mistake.raises, said) is not None
    if mistake.answer is None:
        return False
    path = failure.difference.path
    wrong = part(_output_of(exercise, mistake.answer, failure.case.make()), path)
    got = part(named(exercise, failure.got), path)
    expected = part(named(exercise, failure.expected), path)
    return (wrong is not None and difference(wrong, got, exercise) is None
            and difference(expected, wrong, exercise) is not None)


def _agreement(exercise: Exercise, mistake: Mistake, function: Callable) -> int:
    """On how many inputs the mistake and the learner's function give the same output."""
    if mistake.answer is None:
        return 0
    agree = 0
    for one in exercise.cases():
        got = _output_of(exercise, function, one.make())
        wrong = _output_of(exercise, mistake.answer, one.make())
        agree += got is not None and wrong is not None and difference(wrong, got,
                                                                       exercise) is None
    return agree


def recognise(exercise: Exercise, failure: Failure, function: Callable) -> Mistake | None:
    """The known mistake that gives the learner's output (or error) on the failing input; if
    several do, the one that agrees with the learner's function on the most inputs."""
    candidates = [mistake for mistake in exercise.mistakes
                  if _explains(exercise, mistake, failure)]
    if len(candidates) > 1:
        candidates.sort(key=lambda mistake: -_agreement(exercise, mistake, function))
    return candidates[0] if candidates else None


def run_check(exercise: Exercise, function: object) -> Outcome:
    """Check ``function`` against the exercise: PASS, FAIL with the first failing input, or not
    attempted yet."""
    title = _("Exercise {number} · {name}").format(number=exercise.number,
                                                   name=exercise.function)
    if not callable(function):
        return Outcome(exercise.number, FAILED, _(
            "{title}: check() needs the function itself, as in check(\"{number}\", {name}); got "
            "{got}").format(title=title, number=exercise.number, name=exercise.function,
                            got=show(function)))
    if is_stub(function):
        return _not_attempted(exercise, title)
    with quiet_numpy():
        try:
            failure = _first_failure(exercise, function)
        except NotAttempted:
            return _not_attempted(exercise, title)
        if failure is None:
            count = len(exercise.cases())
            return Outcome(exercise.number, PASSED, _(
                "{title}: PASS on all {count} inputs ({tolerance})").format(
                title=title, count=count, tolerance=exercise.tolerance()))
        mistake = recognise(exercise, failure, function)
    return Outcome(exercise.number, FAILED, _failure_text(exercise, title, failure, function,
                                                          mistake),
                   mistake.name if mistake else None)


def _not_attempted(exercise: Exercise, title: str) -> Outcome:
    text = _("{title}: not attempted yet (the body is still `...`): write the function, then run "
             "this check again; hint(\"{number}\") gives a hint").format(title=title,
                                                                         number=exercise.number)
    return Outcome(exercise.number, NOT_ATTEMPTED,
                   fill(text, WIDTH, subsequent_indent="  "))


def shown_arguments(exercise: Exercise, args: tuple) -> list[str]:
    """``name = value`` for each argument of the failing input, named as in the reference."""
    names = exercise.reference.__code__.co_varnames[:len(args)]
    lines = []
    for name, value in zip(names, args, strict=True):
        text = show(value).replace("\n", "\n" + " " * (len(name) + 7))
        lines.append(f"    {name} = {text}")
    return lines


def error_line(error: BaseException, function: Callable) -> str:
    """The line of the learner's function where ``error`` was raised, if it was raised there."""
    code = getattr(function, "__code__", None)
    if code is None:
        return ""
    filename = code.co_filename
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename == filename]
    if not frames:
        return ""
    frame = frames[-1]
    text = frame.line or linecache.getline(filename, frame.lineno).strip()
    return _(" (line {line}: {text})").format(line=frame.lineno, text=text) if text else ""


def _failure_text(exercise: Exercise, title: str, failure: Failure, function: Callable,
                  mistake: Mistake | None) -> str:
    count = len(exercise.cases())
    lines = [_("{title}: FAIL on input {index} of {count}, {label}").format(
        title=title, index=failure.index, count=count, label=_(failure.case.label)),
        *shown_arguments(exercise, failure.args)]
    if failure.error is not None:
        lines.append("  " + _("raised {kind}: {message}").format(
            kind=type(failure.error).__name__, message=failure.error) + error_line(
            failure.error, function))
    else:
        where = path_text(failure.difference.path)
        indent = "    " if where else "  "
        if where:
            lines.append("  " + _("{part}:").format(part=where))
        lines += [indent + line for line in failure.difference.text.splitlines()]
    if mistake is not None:
        advice = _("Recognised mistake, {name}: {hint}").format(name=_(mistake.name),
                                                                hint=_(mistake.hint))
    else:
        advice = _("Hint: {hint}").format(hint=_(exercise.hint))
    lines += wrap(advice, WIDTH, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines)
