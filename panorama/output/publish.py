"""Publication of the outputs: exclusive, atomic, and safe from a killed build.

An *edition* is an output folder published as a whole, such as ``OUT/2019``. A
publication (:class:`staging`) writes into a staging folder created beside the edition's
real place (the place ``OUT/2019`` leads to, links followed: the same filesystem, so the
final step is a rename), then carries over, as hard links (copies where links are
refused), every entry of the current edition that it does not write itself, and swaps the
staging folder and the edition in **one atomic step**: ``renameat2(RENAME_EXCHANGE)`` on
Linux. Whoever reads ``OUT/2019`` sees the whole old edition or the whole new one, never
a mix; ``OUT/2019`` stays a real folder (and a link the user made to it stays valid).
Where the exchange is not available (another system, a filesystem without it), the old
edition is renamed aside and the new one renamed in: ``OUT/2019`` is then missing for an
instant, never mixed, and a build killed in between gets the old edition back at the
next run.

One lock per edition (``flock`` on ``.2019.verrou`` beside it, removed when released):
a second publication into the same edition waits for the first, with a French message;
the kernel releases the lock of a killed build. Under the lock, what a killed build left
(staging folders, an old edition renamed aside) is cleaned or put back first.

:class:`adding` is the lighter form for new folders added beside others (the years of
the example data): each moved in by one rename, the rest of the folder left alone.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from panorama.core.errors import OutputError, system_error

try:
    import fcntl
except ImportError:  # Windows: no lock between builds
    fcntl = None

AT_FDCWD = -100  # <fcntl.h>
RENAME_EXCHANGE = 2  # <linux/fs.h>
_HELD: dict[Path, list] = {}  # edition → [lock file descriptor, depth] held by this process


def _leftovers(name: str) -> re.Pattern:
    """Names of what publications into edition ``name`` leave beside it when killed
    (and of what earlier versions of this module left: ``.NAME-XXXXXXXX[-…-ancien]``)."""
    quoted = re.escape(name)
    return re.compile(rf"\.{quoted}\.(?:edition|ancienne)-\w+|\.{quoted}-\w{{8}}(?:-.+-ancien)?")


def check_output(edition: Path) -> Path:
    """The real place of ``edition`` (links followed), its parent folder created, after
    checking that nothing in the way is a file and that the parent folder is writable;
    an :class:`~panorama.core.errors.OutputError` in French otherwise. Cheap: called before
    computing, so a wrong ``--out`` is reported at once."""
    edition = Path(edition)
    _not_a_file(edition)
    real = Path(os.path.realpath(edition))
    _writable(real.parent)
    return real


def _not_a_file(folder: Path) -> None:
    """An :class:`~panorama.core.errors.OutputError` if ``folder`` or a folder above is a file."""
    for path in (folder, *folder.parents):
        if path.exists() and not path.is_dir():
            raise OutputError(f"Impossible d'écrire dans {folder} : {path} est un fichier, pas un dossier. "
                              "Choisissez un autre dossier de sortie (--out) ou déplacez ce fichier.")


def _writable(folder: Path) -> None:
    """``folder`` created if need be, and a file written there (then removed)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, probe = tempfile.mkstemp(prefix=".essai-", dir=folder)
        os.close(descriptor)
        os.unlink(probe)
    except OSError as exc:
        raise (system_error(exc, folder, named=False) or exc) from exc


class staging:
    """Context manager: a folder whose entries replace those of ``target`` on success,
    published in one atomic step with the rest of ``edition`` (``target`` itself when not
    given; else a folder holding ``target``, such as ``OUT/2019`` for ``OUT/2019/departements``).

    Each file or folder written in the folder replaces the entry of the same name in
    ``target`` (a folder is replaced whole, so no stale file survives in it); every other
    entry of the edition is kept. On an exception the staging folder is removed and the
    edition is untouched; a system error (disk full, permission) becomes an
    :class:`~panorama.core.errors.OutputError` in French.
    """

    def __init__(self, target: Path, edition: Path | None = None):
        self.target = Path(target)
        self.edition = self.target if edition is None else Path(edition)
        self.inner = self.target.relative_to(self.edition)

    def __enter__(self) -> Path:
        self.real = check_output(self.edition)
        _lock(self.real, self.edition)
        try:
            _clean(self.real)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.real.name}.edition-", dir=self.real.parent))
            self.tmp.chmod(_mode(self.real))
            folder = self.tmp / self.inner
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _unlock(self.real)
            raise (system_error(exc, self.real.parent, named=False) or exc) from exc
        except BaseException:
            _unlock(self.real)
            raise
        return folder

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                _carry_over(self.real, self.tmp, self.inner.parts)
                _swap(self.tmp, self.real)
        except OSError as error:
            raise (system_error(self._shown(error), self.edition) or error) from error
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)  # the failed edition, or the old one once swapped
            _unlock(self.real)
        translated = system_error(self._shown(exc), self.edition)
        if translated is not None:
            raise translated from exc

    def _shown(self, exc: BaseException) -> BaseException:
        """``exc`` naming the place of the edition rather than the staging folder."""
        if isinstance(exc, OSError) and exc.filename is not None:
            name = os.fspath(exc.filename)
            if isinstance(name, str) and name.startswith(str(self.tmp)):
                exc.filename = str(self.real) + name[len(str(self.tmp)):]
        return exc


class adding:
    """Context manager: a folder whose entries are added to ``folder`` on success, each in
    one rename, under the lock of ``folder`` (for new data folders, such as the years of
    the example: none of the entries may exist; the rest of ``folder`` is never copied
    nor moved, which may be the current folder). On an exception nothing is added."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def __enter__(self) -> Path:
        _not_a_file(self.folder)
        self.real = Path(os.path.realpath(self.folder))
        _writable(self.real)
        _lock(self.real, self.folder)
        try:
            for left in self.real.glob(".ajout-*"):  # what a killed run left
                shutil.rmtree(left, ignore_errors=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=".ajout-", dir=self.real))
        except BaseException:
            _unlock(self.real)
            raise
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                for entry in sorted(self.tmp.iterdir()):
                    os.rename(entry, self.real / entry.name)  # fails rather than replace a folder there
        except OSError as error:
            raise (system_error(error, self.folder) or error) from error
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
            _unlock(self.real)
        translated = system_error(exc, self.folder)
        if translated is not None:
            raise translated from exc


def _mode(real: Path) -> int:
    """The permissions of the edition's folder: those it has, else the usual ones."""
    if real.is_dir():
        return real.stat().st_mode & 0o7777
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def _lock(real: Path, edition: Path) -> None:
    """Take the lock of the edition at ``real`` (waiting for another build, with a
    message); again in this process, only counted."""
    if real in _HELD:
        _HELD[real][1] += 1
        return
    if fcntl is None:
        _HELD[real] = [None, 1]
        return
    path = real.with_name(f".{real.name}.verrou")
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise (system_error(exc, real.parent, named=False) or exc) from exc
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"… Une autre production écrit dans {edition} : attente de sa fin", file=sys.stderr, flush=True)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:  # the file may have been removed by the build that held it: lock the new one
            if os.stat(path).st_ino == os.fstat(descriptor).st_ino:
                _HELD[real] = [descriptor, 1]
                return
        except FileNotFoundError:
            pass
        os.close(descriptor)


def _unlock(real: Path) -> None:
    """Release the lock taken by :func:`_lock` (the last time: remove its file)."""
    held = _HELD[real]
    held[1] -= 1
    if held[1]:
        return
    del _HELD[real]
    if held[0] is not None:
        try:
            real.with_name(f".{real.name}.verrou").unlink()
        finally:
            fcntl.flock(held[0], fcntl.LOCK_UN)  # a forked child may still hold a copy of the descriptor
            os.close(held[0])


def _clean(real: Path) -> None:
    """What killed publications left beside the edition at ``real``: an old edition renamed
    aside while the edition is missing is put back; staging folders are removed."""
    pattern = _leftovers(real.name)
    found = sorted(p for p in real.parent.iterdir() if pattern.fullmatch(p.name))
    old = [p for p in found if p.name.startswith(f".{real.name}.ancienne-")]
    if old and not os.path.lexists(real):
        os.rename(old[-1], real)
        found.remove(old[-1])
    for path in found:
        shutil.rmtree(path, ignore_errors=True)


def _carry_over(source: Path, destination: Path, inner: tuple[str, ...]) -> None:
    """Give ``destination`` every entry of ``source`` it lacks (hard links, or copies),
    merging the folders on the path ``inner`` down to the target."""
    if not source.is_dir():
        return
    for entry in os.scandir(source):
        there = destination / entry.name
        if inner and entry.name == inner[0] and entry.is_dir(follow_symlinks=False):
            _carry_over(Path(entry.path), there, inner[1:])
        elif entry.is_dir(follow_symlinks=False) and not os.path.lexists(there):
            there.mkdir()
            there.chmod(entry.stat(follow_symlinks=False).st_mode & 0o7777)
            _carry_over(Path(entry.path), there, ())
        elif not os.path.lexists(there):
            _link(entry.path, there)


def _link(source: str, destination: str) -> None:
    """A hard link to ``source`` (files are never written in place), else a copy."""
    if os.path.islink(source):
        os.symlink(os.readlink(source), destination)
        return
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _swap(new: Path, real: Path) -> None:
    """Make the folder ``new`` the edition at ``real`` in one step; the old edition is
    left at ``new`` (to be removed)."""
    if not os.path.lexists(real):
        os.rename(new, real)
        return
    if _exchange(new, real):
        return
    old = Path(tempfile.mkdtemp(prefix=f".{real.name}.ancienne-", dir=real.parent))
    os.replace(real, old)  # the old edition aside, then the new one in: put back if killed between
    os.rename(new, real)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths atomically (Linux ``renameat2``); False where not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))
