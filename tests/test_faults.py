"""Faults of the process and of the machine: forked workers never outlive the build, Ctrl-C
stops cleanly, disk full and refused writes are French messages (exit 1) that keep the
previous edition."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from panorama.core.parallel import Background, Worker

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _gone(pids: list[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_running(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def _send_end_closed(worker: Worker) -> bool:
    return worker._send_job.closed


def _square(n: int) -> int:
    return n * n


def test_a_child_closes_the_pipe_ends_of_its_siblings():
    with Worker(lambda: None) as worker:
        # in the other child, the end this process keeps to send the worker its job is closed…
        assert Background(_send_end_closed, worker).result() is True
        # …and here it still works
        assert worker._send_job.closed is False
        worker.start(_square, 7)
        assert worker.result() == 49


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_main_process(tmp_path):
    script = textwrap.dedent("""
        import os, sys, time
        from panorama.core.parallel import Background, Worker
        worker = Worker(lambda: time.sleep(600))
        background = Background(time.sleep, 600)
        print(worker._process.pid, background._process.pid, flush=True)
        time.sleep(600)
    """)
    main = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=ENV)
    children = [int(pid) for pid in main.stdout.readline().split()]
    assert len(children) == 2 and all(_running(pid) for pid in children)
    main.send_signal(signal.SIGKILL)
    main.wait()
    assert _gone(children), "a worker outlived the killed build"


def _edition(out: Path, marker: str) -> None:
    (out / "2019" / "donnees").mkdir(parents=True)
    (out / "2019" / "donnees" / "marqueur.txt").write_text(marker)
    (out / "2019" / "panorama-2019.pdf").write_text(marker)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (and theirs)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if parent == pid:
                found += [int(entry.name), *_children(int(entry.name))]
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_cleanly_and_keeps_the_previous_edition(tmp_path):
    out = tmp_path / "sortie"
    _edition(out, "édition précédente")
    build = subprocess.Popen([sys.executable, "-m", "panorama.cli", "build", "2019", "--out", str(out),
                              "--sans-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                             start_new_session=True)
    deadline = time.monotonic() + 30
    while len(_children(build.pid)) < 2 and time.monotonic() < deadline:  # the workers are there
        time.sleep(0.05)
    workers = _children(build.pid)
    os.killpg(build.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
    stdout, stderr = build.communicate(timeout=60)
    assert build.returncode == 130, stderr
    assert stderr.rstrip().endswith("Interrompu : rien de plus n'a été publié, les sorties précédentes sont intactes.")
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert "écrit dans" not in stdout
    assert _gone(workers)
    assert sorted(p.name for p in out.iterdir()) == ["2019"]
    assert (out / "2019" / "donnees" / "marqueur.txt").read_text() == "édition précédente"
    assert sorted(p.name for p in (out / "2019").iterdir()) == ["donnees", "panorama-2019.pdf"]


# --- faults of the machine, through the command line ---------------------------------------------

@pytest.mark.parametrize("where", ["--out est un fichier", "ANNEE est un fichier"])
def test_an_output_that_is_a_file_is_refused_before_computing(monkeypatch, capsys, tmp_path, where):
    from datasets import run_cli

    from panorama.input import validation

    monkeypatch.setattr(validation, "load_history", lambda *args: pytest.fail("computed before checking --out"))
    out = tmp_path / "sortie"
    if where == "--out est un fichier":
        out.write_text("")
        blocking = out
    else:
        out.mkdir()
        (out / "2019").write_text("")
        blocking = out / "2019"
    for command in (["build", "2019"], ["build", "2019", "--departements"], ["study", "femmes", "2019"]):
        status, stdout, err = run_cli(monkeypatch, capsys, *command, "--out", str(out))
        assert status == 1
        assert stdout == ""
        assert err == (f"Impossible d'écrire dans {out / '2019'} : {blocking} est un fichier, pas un dossier. "
                       "Choisissez un autre dossier de sortie (--out) ou déplacez ce fichier.\n")


def test_a_read_only_output_is_said_in_french_and_keeps_the_previous_edition(monkeypatch, capsys, tmp_path):
    """Root writes anywhere: the refusal is simulated where the build writes its staging folder."""
    from datasets import run_cli

    from panorama.output import publish

    out = tmp_path / "sortie"
    _edition(out, "édition précédente")
    real_mkdtemp = publish.tempfile.mkdtemp

    def read_only(*args, **kwargs):
        if kwargs.get("dir") == out:
            raise OSError(30, "Read-only file system", str(out / ".2019.edition-x"))
        return real_mkdtemp(*args, **kwargs)

    monkeypatch.setattr(publish.tempfile, "mkdtemp", read_only)
    status, stdout, err = run_cli(monkeypatch, capsys, "build", "2019", "--out", str(out))
    assert status == 1
    assert f"Impossible d'écrire {out} : système de fichiers en lecture seule." in err
    assert "Erreur interne" not in err and "Panorama 2019 écrit" not in stdout
    assert (out / "2019" / "donnees" / "marqueur.txt").read_text() == "édition précédente"
    assert sorted(p.name for p in out.iterdir()) == ["2019"]


# --- quiet output --------------------------------------------------------------------------------

def test_the_solver_prints_no_banner():
    script = textwrap.dedent("""
        import numpy as np
        from panorama.protect.confidentiality import _Attacker
        one = np.array([0], dtype=np.int32)
        _Attacker((one, one, np.array([1.0]), np.array([1.0]), np.array([1.0])), np.array([1.0]))
        print("fin")
    """)
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=ENV)
    assert process.returncode == 0, process.stderr
    assert (process.stdout, process.stderr) == ("fin\n", "")


def test_library_warnings_and_logs_are_not_shown(monkeypatch, capsys):
    import logging
    import warnings

    from datasets import run_cli

    from panorama.input import quality

    def chatty(report):
        logging.getLogger("matplotlib").warning("Matplotlib created a temporary cache directory")
        warnings.warn("findfont: Font family not found", UserWarning, stacklevel=1)
        return "Bilan de qualité"

    monkeypatch.setattr(quality, "summary", chatty)
    status, stdout, err = run_cli(monkeypatch, capsys, "validate", "2019")
    assert (status, stdout, err) == (0, "Bilan de qualité\n", "")


# --- warnings seen at build time -------------------------------------------------------------------

def _warned_year(tmp_path):
    from datasets import clean_tables, write_dataset

    from panorama.input.validation import load_year

    tables = clean_tables()
    tables["contrats"][3]["heures"] = "5000"
    buyers = tables["donneurs_ordre"]
    for n in range(30):  # 30 buyers with a SIRET that is not one: more than a listing shows
        buyers.append({**buyers[0], "donneur_ordre_id": f"X{n}", "siret": "123"})
    write_dataset(tmp_path, 2019, tables)
    return load_year(tmp_path, 2019).quality


def test_a_build_says_how_many_warnings_the_main_ones_and_where_to_read_them(monkeypatch, capsys, tmp_path):
    from types import SimpleNamespace

    from datasets import run_cli

    from panorama import pipeline

    report = _warned_year(tmp_path / "donnees")
    results = SimpleNamespace(confidentiality=None, quality=report, example=False)
    monkeypatch.setattr(pipeline, "run", lambda *args, **kwargs: SimpleNamespace(
        folder=tmp_path / "sortie" / "2019", files=["panorama-2019.pdf"], results=results,
        texts=[], texts_folder=None))
    status, stdout, err = run_cli(monkeypatch, capsys, "build", "2019", "--data", str(tmp_path / "donnees"),
                                  "--out", str(tmp_path / "sortie"))
    contracts = tmp_path / "donnees" / "2019" / "contrats.csv"
    buyers = tmp_path / "donnees" / "2019" / "donneurs_ordre.csv"
    assert status == 0, err
    assert stdout.split("\n")[2:] == [
        "Avertissements sur les données 2019 : 31 (2 sortes) ; les principaux :",
        "- plus de 2\u202f500 heures dans l'année pour un seul contrat : valeur conservée, à vérifier : 1 ligne "
        f"({contracts}, colonne « heures », par exemple ligne 5, valeur « 5000 »)",
        f"- SIRET invalide, ignoré : 30 lignes ({buyers}, colonne « siret », par exemple ligne 4, valeur « 123 »)",
        f"Tous les avertissements : panorama validate 2019 --data {tmp_path / 'donnees'}",
        "Textes\u00a0: aucun.",  # the texts of the (stubbed) build: none
        ""]


def test_a_warning_about_a_whole_file_counts_no_lines():
    from panorama.core.errors import AVERTISSEMENT, Problem
    from panorama.input.dataset import QualityReport
    from panorama.input.quality import build_warnings

    report = QualityReport(2019, warnings=[Problem("operations.csv", "127 opérations hors de la région exclues",
                                                   column="departement", severity=AVERTISSEMENT)])
    assert build_warnings(report, "panorama validate 2019") == (
        "Avertissements sur les données 2019 : 1 (1 sorte) ; les principaux :\n"
        "- 127 opérations hors de la région exclues (operations.csv, colonne « departement »)\n"
        "Tous les avertissements : panorama validate 2019")
