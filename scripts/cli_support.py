"""Shared plumbing of the command-line scripts: one-line bad-input errors and atomic writes."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, NoReturn, Sequence

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """User error: printed as one line "FILE: cause" and exit status 2."""

    def __init__(self, file: str | os.PathLike, cause: str) -> None:
        super().__init__(f"{file}: {cause}")


class ArgumentParser(argparse.ArgumentParser):
    """argparse with usage errors as one line "PROG: cause" (exit 2), like every other bad input."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def run_main(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> NoReturn:
    """Runs a script's main, turning BadInput into one line on stderr and exit 2."""
    try:
        code = main(argv)
    except BadInput as e:
        print(str(e), file=sys.stderr)
        code = EXIT_BAD_INPUT
    sys.exit(code)


def refuse_existing(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise BadInput(path, "already exists; refusing to overwrite (use --force)")


def write_file_atomically(path: Path, data: bytes, force: bool) -> None:
    """Writes data to a temporary file beside path, then renames it over path."""
    refuse_existing(path, force)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise BadInput(path, f"parent directory {parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_directory_atomically(path: Path, fill: Callable[[Path], None], force: bool) -> None:
    """Fills a temporary directory beside path, then swaps it into place (replacing path only with force)."""
    refuse_existing(path, force)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise BadInput(path, f"parent directory {parent} does not exist")
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        tmp.chmod(0o755)
        fill(tmp)
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}.", suffix=".old"))
            os.replace(path, old / path.name)
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
