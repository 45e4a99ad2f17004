"""Reading input files safely: regular files only, size-capped, never blocking.

Every input ivigmeta reads (study records, CSV tables, batch plans) goes through
:func:`read_input_bytes`. The file is opened with ``O_NONBLOCK`` and checked with ``fstat``
before anything is read, so a FIFO (named pipe) is refused instead of hanging, and a folder,
device (``/dev/null``), socket, symbolic-link loop or oversized file is named in a one-line
:class:`~ivigmeta.errors.InputError`.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ivigmeta.errors import InputError

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("a folder", "a FIFO (named pipe)", ...)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def read_input_bytes(path: str | os.PathLike[str], *, what: str, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` bytes), or InputError.

    ``what`` names the expected content in messages ("study record", "CSV table", "plan")."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise InputError(_open_problem(error, name, what), file=name) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"is {file_kind(info.st_mode)}, not a {what} file", file=name)
        if info.st_size > limit:
            raise InputError(
                f"file is {info.st_size} bytes; a {what} may be at most {limit} bytes"
                f" ({limit >> 20} MiB)",
                file=name,
            )
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise InputError(f"file grew past {limit} bytes while read", file=name)
        return b"".join(chunks)
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=name) from None
    finally:
        os.close(fd)


def _open_problem(error: OSError, name: str, what: str) -> str:
    if error.errno == errno.ENOENT:
        if Path(name).is_symlink():
            return "broken symbolic link (its target does not exist)"
        return "no such file or folder"
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if error.errno == errno.EISDIR:
        return f"is a folder, not a {what} file"
    return f"cannot read the file: {error.strerror or error}"


def decode_text(data: bytes, name: str, what: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or InputError naming the line of the bad
    byte."""
    if b"\x00" in data:
        raise InputError(f"binary file (NUL bytes): expected a UTF-8 {what}", file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})",
            file=name,
            line=line,
        ) from None
