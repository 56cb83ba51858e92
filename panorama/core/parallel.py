"""Work done on the machine's other core, in processes forked from this one.

- :class:`Background` runs one function in a forked process, started at once;
- :func:`share` maps a function over items in this process and a forked one;
- :class:`Worker` forks a process at once, lets it get ready (heavy imports) while this
  one goes on, and later hands it one job.

A forked process starts with a copy of this one (modules, data, caches), so only the
arguments sent after the fork and the results travel, pickled, through a pipe. An
exception raised there is raised again here, the same (:func:`_portable`). Where ``fork``
is not available (Windows), everything runs here, one thing after the other.

A forked process never outlives this one, however this one ends: on Linux the kernel
kills it when its parent dies (``PR_SET_PDEATHSIG``, SIGKILL included), and it closes at
once the pipe ends of the other children it inherited, so that none waits on a pipe kept
open by a sibling. It ignores Ctrl-C, which this process handles (stopping its children).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import weakref
from collections.abc import Callable, Sequence

from panorama.core.errors import PanoramaError


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


_PARENT_ENDS: weakref.WeakSet = weakref.WeakSet()
"""The pipe ends this process keeps to talk to its children; a child closes them all."""
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _fork(target, *args) -> multiprocessing.Process:
    """Start ``target(*args)`` in a forked process (not a daemon: it may fork in turn)
    that dies with this one (:func:`_child`)."""
    process = multiprocessing.get_context("fork").Process(target=_child, args=(os.getpid(), target, *args))
    process.start()
    return process


def _pipe():
    """A one-way pipe ``(receive, send)``, both ends kept by this process until a fork hands
    one to a child (see :func:`_PARENT_ENDS`)."""
    receive, send = multiprocessing.Pipe(duplex=False)
    _PARENT_ENDS.add(receive)
    _PARENT_ENDS.add(send)
    return receive, send


def _handed(*ends) -> None:
    """Close, after the fork, the pipe ends now held by the child."""
    for end in ends:
        _PARENT_ENDS.discard(end)
        end.close()


def _child(parent: int, target, *args) -> None:
    """In the forked process: die with ``parent``, leave Ctrl-C to it, close the pipe ends
    it keeps for its children (this one's own ends come in ``args``), then run ``target``."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    own = {id(arg) for arg in args}
    for end in list(_PARENT_ENDS):
        if id(end) not in own:
            end.close()
    _PARENT_ENDS.clear()
    target(*args)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux); if the parent is
    already gone, end now."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl: the pipes' end of file still stops the child
            pass
    if os.getppid() != parent:
        os._exit(1)


def _outcome(function, args) -> tuple[bool, object]:
    """``(True, function(*args))``, or ``(False, the exception it raised)``."""
    try:
        return True, function(*args)
    except BaseException as exc:  # noqa: BLE001 - raised again where the result is asked for
        return False, exc


def _portable(exc: BaseException):
    """``exc`` ready to travel through a pipe: itself when pickling gives it back; else its
    class, arguments and attributes (an exception whose constructor takes other arguments
    than those it keeps, such as :class:`~panorama.core.errors.DataError`); else a
    :class:`~panorama.core.errors.PanoramaError` carrying its message."""
    for candidate in (exc, (type(exc), exc.args, vars(exc))):
        try:
            pickle.loads(pickle.dumps(candidate))
            return candidate
        except Exception:  # noqa: BLE001, S112 - the next, simpler form is tried
            continue
    return PanoramaError(f"Échec d'une tâche en parallèle ({type(exc).__name__} : {exc})")


def _restored(portable) -> BaseException:
    """The exception :func:`_portable` made ready to travel."""
    if isinstance(portable, BaseException):
        return portable
    cls, args, attributes = portable
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(attributes)
    return exc


def _reply(send, function, args) -> None:
    """Run ``function(*args)`` and send its outcome through ``send``."""
    ok, value = _outcome(function, args)
    try:
        send.send((ok, value if ok else _portable(value)))
    finally:
        send.close()


def _value(outcome: tuple[bool, object]):
    """The value of an :func:`_outcome`; its exception raised here."""
    ok, value = outcome
    if not ok:
        raise _restored(value)
    return value


def _received(receive, process: multiprocessing.Process):
    """The value sent by ``process``, which then ends; its exception raised here."""
    try:
        outcome = receive.recv()
    except EOFError:
        outcome = False, PanoramaError("Échec d'une tâche en parallèle : le processus s'est arrêté sans résultat.")
    process.join()
    return _value(outcome)


class Background:
    """Run ``function(*args)`` in a forked process (the machine's other core) and get its
    result with :meth:`result`; without ``fork``, run it at once. Used as a context
    manager, an error in this process stops the child."""

    def __init__(self, function: Callable, *args):
        if not _can_fork():
            self._outcome, self._process = _outcome(function, args), None
            return
        self._receive, send = _pipe()
        self._process = _fork(_reply, send, function, args)
        _handed(send)

    def __enter__(self) -> Background:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """On an error here, stop the child before anything is cleaned up."""
        if exc_type is not None and self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def result(self):
        """Wait for the child and return what the function returned."""
        return _value(self._outcome) if self._process is None else _received(self._receive, self._process)


def share(function: Callable, items: Sequence) -> list:
    """``[function(item) for item in items]``, computed by this process and a forked one:
    each takes the next item nobody has taken yet, so both stay busy until the end."""
    if len(items) < 2 or not _can_fork():
        return [function(item) for item in items]
    taken = multiprocessing.get_context("fork").Value("i", 0)
    with Background(_take, function, items, taken) as other:
        done = _take(function, items, taken)
        done.update(other.result())
    return [done[index] for index in range(len(items))]


def _take(function: Callable, items: Sequence, taken) -> dict[int, object]:
    """``function`` of each item not yet taken (``taken``: shared count), by index."""
    done = {}
    while True:
        with taken.get_lock():
            index = taken.value
            taken.value += 1
        if index >= len(items):
            return done
        done[index] = function(items[index])


class Worker:
    """A process forked at once, which runs ``prepare()`` (heavy imports, say) while this
    one goes on, then the one job :meth:`start` sends it. ``prepare`` is only a head
    start: an error in it is left for the job to meet. Without ``fork``, the job runs
    here, in :meth:`start`.

    Used as a context manager: leaving it stops the worker if it is still there (never
    given a job, or its result never asked for after an error here).
    """

    def __init__(self, prepare: Callable[[], object]):
        self._process = None
        if _can_fork():
            jobs, self._send_job = _pipe()
            self._receive_result, results = _pipe()
            self._process = _fork(_serve, prepare, jobs, results)
            _handed(jobs, results)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def start(self, function: Callable, *args) -> None:
        """Have the worker run ``function(*args)``; :meth:`result` gives what it returns."""
        if self._process is None:
            self._outcome = _outcome(function, args)
        else:
            self._send_job.send((function, args))

    def result(self):
        """Wait for the job given to :meth:`start` and return its result."""
        return _value(self._outcome) if self._process is None else _received(self._receive_result, self._process)


def _serve(prepare, jobs, results) -> None:
    """The worker: get ready, then run the job received and send its outcome (its parent's
    ends of the pipes are closed by :func:`_child`, so it sees the end of the pipe if the
    parent dies)."""
    try:
        prepare()
    except Exception:  # noqa: BLE001, S110 - a head start only: the job meets the same error
        pass
    try:
        job = jobs.recv()
    except EOFError:  # the parent ended without a job for it
        return
    _reply(results, *job)
