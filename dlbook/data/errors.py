"""The two ways loading a dataset can fail: the files are not there, or they are damaged."""


class DatasetNotFoundError(FileNotFoundError):
    """The dataset is neither on disk nor downloadable; the message says which files go where."""


class CorruptFileError(ValueError):
    """A dataset file is truncated, malformed or fails its checksum; the message names the file."""
