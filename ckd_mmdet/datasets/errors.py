# Copyright (c) ckd_mmdet contributors. Licensed under the Apache License 2.0.
"""Errors the tools turn into one message instead of a traceback."""


class DatasetNotFoundError(FileNotFoundError):
    """A data set's files are not where its config says (tools/train.py and tools/test.py
    print the message and exit instead of a traceback)."""
