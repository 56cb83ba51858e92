"""Test session set-up: builds run by the tests keep their figure cache in a temporary
folder (``$XDG_CACHE_HOME``), never in the user's ``~/.cache/panorama``."""

import os
import shutil
import tempfile

_CACHE = tempfile.mkdtemp(prefix="panorama-tests-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE, ignore_errors=True)
