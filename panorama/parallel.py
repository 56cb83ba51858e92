"""Work done on the machine's other core, in processes forked from this one.

- :class:`Background` runs one function in a forked process, started at once;
- :func:`share` maps a function over items in this process and a forked one;
- :class:`Worker` forks a process at once, lets it get ready (heavy imports) while this
  one goes on, and later hands it one job.

A forked process starts with a copy of this one (modules, data, caches), so only the
arguments sent after the fork and the results travel, pickled, through a pipe. An
exception raised there is raised again here, the same (:func:`_portable`). Where ``fork``
is not available (Windows), everything runs here, one thing after the other.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable, Sequence

from panorama.errors import PanoramaError


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _fork(target, *args) -> multiprocessing.Process:
    """Start ``target(*args)`` in a forked process (not a daemon: it may fork in turn)."""
    process = multiprocessing.get_context("fork").Process(target=target, args=args)
    process.start()
    return process


def _outcome(function, args) -> tuple[bool, object]:
    """``(True, function(*args))``, or ``(False, the exception it raised)``."""
    try:
        return True, function(*args)
    except BaseException as exc:  # noqa: BLE001 - raised again where the result is asked for
        return False, exc


def _portable(exc: BaseException):
    """``exc`` ready to travel through a pipe: itself when pickling gives it back; else its
    class, arguments and attributes (an exception whose constructor takes other arguments
    than those it keeps, such as :class:`~panorama.errors.DataError`); else a
    :class:`~panorama.errors.PanoramaError` carrying its message."""
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
        self._receive, send = multiprocessing.Pipe(duplex=False)
        self._process = _fork(_reply, send, function, args)
        send.close()

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
            jobs, self._send_job = multiprocessing.Pipe(duplex=False)
            self._receive_result, results = multiprocessing.Pipe(duplex=False)
            self._process = _fork(_serve, prepare, jobs, results, (self._send_job, self._receive_result))
            jobs.close()
            results.close()

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


def _serve(prepare, jobs, results, parent_ends) -> None:
    """The worker: get ready, then run the job received and send its outcome."""
    for end in parent_ends:  # so that the worker sees the end of the pipe if the parent dies
        end.close()
    try:
        prepare()
    except Exception:  # noqa: BLE001, S110 - a head start only: the job meets the same error
        pass
    try:
        job = jobs.recv()
    except EOFError:  # the parent ended without a job for it
        return
    _reply(results, *job)
