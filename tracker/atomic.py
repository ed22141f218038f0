"""Atomic file writes: a reader (a mail client, a calendar server, the next `tracker`
command) sees the old file or the new one, never half of either.

Every file plan-tracker writes goes through here: the feed secret key, feeds and
``index.html``, overdue notices and charts, backups. The bytes go to a temporary file in
the same folder (a rename across filesystems is a copy), which is flushed to disk
(``durable``), given its final mode, and renamed over the target; the folder is then
flushed too, so the rename survives a power cut. A failure at any step (a full disk, a
kill) leaves the target as it was and removes the temporary file (a kill cannot: the
leftover is a dot-file named after the target, never the target itself).

Modes: ``mode=None`` means what a plain ``open()`` would give under the umask (0644 with
the usual 022), so exports a user shares stay shareable; secrets pass ``0o600``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["atomic_open", "atomic_path", "default_mode", "fsync_dir", "write_atomic"]


def default_mode(kind: str = "file") -> int:
    """The mode a new file (or folder) gets under the current umask, as ``open()`` would.

    >>> old = os.umask(0o027); (oct(default_mode()), oct(default_mode("dir"))); _ = os.umask(old)
    ('0o640', '0o750')
    """
    mask = os.umask(0)
    os.umask(mask)  # read the umask: the only way is to set it and put it back
    return (0o777 if kind == "dir" else 0o666) & ~mask


def fsync_dir(path: Path) -> None:
    """Make a rename or a creation in folder ``path`` durable (POSIX: fsync the folder)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on folders; the file itself is synced
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(
    path: Path, *, mode: int | None = None, durable: bool = True, replace: bool = True, suffix: str = ".part",
) -> Iterator[Path]:
    """A temporary path beside ``path`` for the caller to fill (a SQLite backup writes its
    own file); on a clean exit it becomes ``path``, on an exception it is removed.

    ``replace=False`` never overwrites: if ``path`` exists by then (another process won a
    race to create it), :class:`FileExistsError` is raised and the caller reads theirs.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if durable:
            _fsync_file(tmp)
        os.chmod(tmp, default_mode() if mode is None else mode)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails with EEXIST instead of replacing: create-if-absent, atomically
        if durable:
            fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextmanager
def atomic_open(path: Path, *, mode: int | None = None, durable: bool = True, replace: bool = True) -> Iterator[IO[bytes]]:
    """A binary file to write ``path`` through (see :func:`atomic_path`)."""
    with atomic_path(path, mode=mode, durable=durable, replace=replace) as tmp, open(tmp, "wb") as fh:
        yield fh
        fh.flush()


def write_parts(fd: int, parts: Sequence[bytes]) -> None:
    """Write ``parts`` to ``fd`` without joining them first: ``writev`` hands the kernel up to
    512 blocks per call with the GIL released, so a writer thread never holds up the main one."""
    if not hasattr(os, "writev"):
        for part in parts:
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view):]
        return
    for start in range(0, len(parts), 512):
        chunk = parts[start : start + 512]
        done = os.writev(fd, chunk)
        rest = b"".join(chunk)[done:] if done != sum(map(len, chunk)) else b""
        while rest:  # a short write (a signal, a full pipe): finish it plainly
            rest = rest[os.write(fd, rest):]


def write_atomic(
    path: Path,
    data: bytes | Sequence[bytes],
    *,
    mode: int | None = None,
    durable: bool = True,
    skip_unchanged: bool = False,
    replace: bool = True,
) -> bool:
    """Write ``data`` (bytes, or parts to concatenate) to ``path`` atomically; returns whether
    the file changed. ``skip_unchanged`` leaves a file that already holds exactly these bytes
    alone, so its mtime (and the ETag a static web server derives from it) changes only with
    its content."""
    parts = [data] if isinstance(data, bytes | bytearray) else list(data)
    if skip_unchanged and same_content(path, parts):
        return False
    with atomic_path(path, mode=mode, durable=durable, replace=replace) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC)
        try:
            write_parts(fd, parts)
        finally:
            os.close(fd)
    return True


def same_content(path: Path, parts: Sequence[bytes]) -> bool:
    """Whether the file at ``path`` holds exactly the concatenated ``parts``."""
    try:
        if path.stat().st_size != sum(map(len, parts)):
            return False
        return path.read_bytes() == b"".join(parts)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


# ------------------------------------------------------------------ a set of files at once
_STAGING = ".staging-"


class StagedFolder:
    """The new contents of a folder of generated files (the calendar feeds and their
    ``index.html``), built in a folder beside it and swapped in with one rename, so that a
    kill or a full disk half-way leaves the old set whole and a reader never sees a mix.

    Files of the old folder that the new set does not rewrite (a notice saved there, the
    feed of a unit since renamed) are carried over as hard links; a feed whose bytes did not
    change is a hard link to the old file too, so its mtime stays. On Linux the swap is an
    atomic exchange (``renameat2(RENAME_EXCHANGE)``); elsewhere two renames, a window of
    microseconds without the folder.

    A folder that holds anything but plain files (sub-folders, links), that is a mount
    point, the working directory, or whose parent cannot be written to is not swapped: its
    files are then replaced one by one (each atomically, ``index.html`` last), as before.
    """

    def __init__(self, target: Path, *, stage: bool = True) -> None:
        self.target = Path(target)
        self.staging: Path | None = None
        if not stage:
            self.target.mkdir(parents=True, exist_ok=True)
            return
        _remove_stale_staging(self.target)
        if not self.target.is_dir() or _swappable(self.target):
            try:
                self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}{_STAGING}{os.getpid()}-", dir=self.target.parent))
            except OSError:
                self.staging = None
        if self.staging is None:
            self.target.mkdir(parents=True, exist_ok=True)

    @classmethod
    def in_place(cls, target: Path) -> StagedFolder:
        """Files replaced one by one, each atomically (a single feed, not a set)."""
        return cls(target, stage=False)

    @property
    def swapped(self) -> bool:
        """Whether the set is staged and swapped in whole (False: written file by file)."""
        return self.staging is not None

    def put(self, name: str, parts: Sequence[bytes]) -> bool:
        """Write file ``name`` of the new set; returns whether its bytes changed."""
        old = self.target / name
        if self.staging is None:
            return write_atomic(old, parts, durable=False, skip_unchanged=True)
        new = self.staging / name
        if same_content(old, parts):
            try:
                os.link(old, new)
                return False
            except OSError:
                pass  # a filesystem without hard links: write a copy
            changed = False
        else:
            changed = True
        fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, default_mode())
        try:
            write_parts(fd, parts)
        finally:
            os.close(fd)
        return changed

    def commit(self) -> None:
        """Swap the new set in (carrying over the old folder's other files) and remove the old one."""
        if self.staging is None:
            return
        staging, target = self.staging, self.target
        try:
            if target.is_dir():
                _carry_over(target, staging)
                os.chmod(staging, target.stat().st_mode & 0o7777)
                if not _exchange(staging, target):
                    aside = staging.with_name(staging.name + ".old")
                    os.rename(target, aside)
                    os.rename(staging, target)
                    os.rename(aside, staging)
                _carry_over(staging, target)  # a file saved into the old folder meanwhile
            else:
                os.chmod(staging, default_mode("dir"))
                os.rename(staging, target)
            fsync_dir(target.parent)
        finally:
            self.abort()

    def abort(self) -> None:
        """Drop whatever was staged; the target folder is left as it is."""
        if self.staging is not None:
            import shutil

            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _swappable(folder: Path) -> bool:
    try:
        if os.path.ismount(folder) or folder.resolve() == Path.cwd().resolve():
            return False
        with os.scandir(folder) as entries:
            return all(e.is_file(follow_symlinks=False) for e in entries)
    except OSError:
        return False


def _carry_over(source: Path, dest: Path) -> None:
    """Hard-link into ``dest`` every file of ``source`` that ``dest`` does not have."""
    import shutil

    with os.scandir(source) as entries:
        for entry in entries:
            if not entry.is_file(follow_symlinks=False) or (dest / entry.name).exists():
                continue
            try:
                os.link(entry.path, dest / entry.name)
            except FileExistsError:
                continue
            except OSError:
                shutil.copy2(entry.path, dest / entry.name)


def _remove_stale_staging(target: Path) -> None:
    """Staging folders left by a killed export (their process is gone) are removed."""
    import shutil

    prefix = f".{target.name}{_STAGING}"
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system cannot, and the caller renames twice instead."""
    import ctypes
    import errno
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without renameat2 (glibc < 2.28)
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # kernel or filesystem without it
        return False
    raise OSError(err, os.strerror(err), str(b))
