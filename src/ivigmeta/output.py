"""Atomic output: write to a temporary file beside the target, then rename it into place.

Rules for every file ivigmeta writes (``--out``, ``--forest``, ``--funnel``, reports):

- the folder must exist (it is never created: a typo in a folder name is an error, not a new
  folder) and the target must not be a folder;
- the temporary file has a short fixed-length name (``.ivigmeta-XXXXXXXX``), so any name the
  file system accepts for the target also works for the temporary;
- replacing an existing file keeps its permission bits (a 0600 file stays 0600); a new file
  gets ``0666 & ~umask``;
- a symbolic link is written through: the file it points to is replaced and the link stays;
- errors are :class:`~ivigmeta.errors.InputError` naming the user's path, never the temporary.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ivigmeta.errors import InputError

_TEMPORARY_PREFIX = ".ivigmeta-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output_folder(path: str | os.PathLike[str], field: str | None = None) -> None:
    """InputError unless ``path`` can be written (:func:`check_target`: the folder exists and
    is not created); ``field`` names the option in the message."""
    try:
        check_target(path)
    except InputError as error:
        raise InputError(error.message, file=error.file, field=field) from None


def check_target(path: str | os.PathLike[str]) -> Path:
    """The file to write for ``path`` (a symbolic link resolved to its target), or InputError.

    Call it before a long analysis so that an unwritable output fails first."""
    name = os.fspath(path)
    given = Path(path)
    if given.is_symlink():
        try:
            target = given.resolve(strict=False)
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop on Python < 3.13
            raise InputError("symbolic link loop; expected a file to write", file=name) from None
    else:
        target = given
    parent = target.parent
    if not parent.exists():
        raise InputError(
            f"folder {str(parent)!r} does not exist (ivigmeta does not create folders)", file=name
        )
    if not parent.is_dir():
        raise InputError(f"{str(parent)!r} is a file, not a folder", file=name)
    if target.is_dir():
        raise InputError("is a folder; expected a file name", file=name)
    if target.exists() and not target.is_file():
        raise InputError("is not a regular file (device, FIFO or socket)", file=name)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write into folder {str(parent)!r}: permission denied", file=name)
    return target


def atomic_write(path: str | os.PathLike[str], data: str | bytes | Iterable[str]) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one.

    ``data`` is text, bytes, or an iterable of text pieces (written as they come, so a long
    output need not be held in memory)."""
    name = os.fspath(path)
    target = check_target(path)
    try:
        old_mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        old_mode = 0o666 & ~_umask()
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror or error}", file=name) from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=_TEMPORARY_PREFIX, dir=target.parent)
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror or error}", file=name) from None
    try:
        os.chmod(tmp, old_mode)
        if isinstance(data, bytes):
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                if isinstance(data, str):
                    fh.write(data)
                else:
                    for piece in data:
                        fh.write(piece)
        os.replace(tmp, target)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write: {error.strerror or error}", file=name) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_chunks(path: str | os.PathLike[str], chunks) -> None:
    """:func:`atomic_write` of text given as an iterable of strings, written as they come."""
    atomic_write(path, chunks)
