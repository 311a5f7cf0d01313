"""Hearth's stand-in for the part of Cog (github.com/replicate/cog) that a predictor imports.

A Cog model (``cog.yaml`` + ``predict.py``) runs on Hearth without the cog package installed: ``hearth_worker`` puts
this directory on the path, loads the ``predict:`` class, runs its ``setup()`` once and ``predict(**input)`` per job,
checking each input against its type and ``Input(...)`` (see ``hearth_worker._cog``).

Only ``BasePredictor``, ``Input``, ``Path``, ``ConcatenateIterator`` and ``Secret`` are here. A model that imports
anything else of Cog (``BaseModel``, ``File``, ``emit_metric``, ...) fails at import with an error that says so,
rather than later with a missing attribute.
"""

import pathlib
import typing

__all__ = ["BasePredictor", "Input", "Path", "ConcatenateIterator", "Secret"]
__version__ = "0.0.0+hearth"


class BasePredictor:
    """A Cog predictor: ``setup()`` runs once per worker, ``predict(**input)`` once per job."""

    def setup(self, weights=None):  # noqa: ARG002 - Cog's signature
        return None

    def predict(self, **kwargs):
        raise NotImplementedError("the predictor must define predict()")


class FieldInfo:
    """What ``Input(...)`` declares about one input of ``predict``."""

    __slots__ = ("default", "description", "ge", "le", "min_length", "max_length", "regex", "choices", "deprecated")

    def __init__(self, default, description, ge, le, min_length, max_length, regex, choices, deprecated):
        self.default = default
        self.description = description
        self.ge = ge
        self.le = le
        self.min_length = min_length
        self.max_length = max_length
        self.regex = regex
        self.choices = choices
        self.deprecated = deprecated

    @property
    def required(self):
        return self.default is ...

    def __repr__(self):
        return "Input(default=%r)" % (self.default,)


def Input(default=..., description=None, ge=None, le=None, min_length=None, max_length=None, regex=None,  # noqa: N802
          choices=None, deprecated=None):
    """Declares an input of ``predict``: its default (none: required), description and constraints."""
    return FieldInfo(default, description, ge, le, min_length, max_length, regex,
                     list(choices) if choices is not None else None, deprecated)


class Path(pathlib.PosixPath):
    """A file: an input given as a URL or data URL arrives downloaded; an output is sent back as a data URL."""


class Secret:
    """A text input that is not shown: ``get_secret_value()`` returns it."""

    def __init__(self, secret_value=None):
        self._secret_value = secret_value

    def get_secret_value(self):
        return self._secret_value

    def __repr__(self):
        return "Secret(%s)" % ("**********" if self._secret_value else "")


_Item = typing.TypeVar("_Item")


class ConcatenateIterator(typing.Iterator[_Item]):
    """The return type of a predictor that yields text to be read as one string (a language model's tokens)."""

    def __next__(self):
        raise StopIteration


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise ImportError("cog.%s is not available on Hearth: its cog shim has only %s (see docs/api.md, 'Cog models'); "
                      "leave it out of the model, or run the model's own container" % (name, ", ".join(__all__)))
