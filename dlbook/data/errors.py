"""How loading a dataset can fail: the files are not there, they are damaged, or their content
cannot be used as asked (labels out of range, a text column that is not text...)."""

from dlbook.errors import DlbookError


class DatasetNotFoundError(DlbookError, FileNotFoundError):
    """The dataset is neither on disk nor downloadable; the message says which files go where."""


class CorruptFileError(DlbookError, ValueError):
    """A dataset file is truncated, malformed or fails its checksum; the message names the file."""


class InvalidDataError(DlbookError, ValueError):
    """The files are readable but their content cannot be used as asked; the message says why,
    with the counts, and how to fix it."""


class UnknownDatasetError(DlbookError, ValueError):
    """A dataset name that dlbook does not know; the message lists the known ones."""
