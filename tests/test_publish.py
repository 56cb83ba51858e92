"""Publication of an edition (:mod:`panorama.output.publish`): exclusive, atomic, safe from a
killed build, through links and across filesystems, faults of the machine in French."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from panorama.core.errors import OutputError
from panorama.output import publish
from panorama.output.publish import adding, check_output, staging

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

OLD = {"panorama.pdf": "ancienne", "donnees/a.csv": "ancienne", "donnees/b.csv": "ancienne",
       "departements/fiche-93.pdf": "fiche 93"}
NEW = {"panorama.pdf": "nouvelle", "donnees/a.csv": "nouvelle", "departements/fiche-93.pdf": "fiche 93"}


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def _state(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def _publish_new(edition: Path) -> None:
    with staging(edition) as folder:
        _write(folder, {"panorama.pdf": "nouvelle", "donnees/a.csv": "nouvelle"})


@pytest.fixture
def edition(tmp_path) -> Path:
    _write(tmp_path / "sortie" / "2019", OLD)
    return tmp_path / "sortie" / "2019"


def test_a_publication_replaces_its_entries_whole_and_keeps_the_others(edition):
    _publish_new(edition)
    assert _state(edition) == NEW  # « donnees » replaced whole: b.csv is gone; the sheets kept
    assert sorted(p.name for p in edition.parent.iterdir()) == ["2019"]  # no staging folder, no lock left


def test_a_publication_inside_the_edition_keeps_the_rest(edition):
    with staging(edition / "departements", edition) as folder:
        _write(folder, {"fiche-75.pdf": "fiche 75"})
    assert _state(edition) == {**OLD, "departements/fiche-75.pdf": "fiche 75"}
    with staging(edition / "departements", edition) as folder:
        _write(folder, {"fiche-93.pdf": "nouvelle fiche 93"})
    assert _state(edition)["departements/fiche-93.pdf"] == "nouvelle fiche 93"
    assert _state(edition)["departements/fiche-75.pdf"] == "fiche 75"


def test_a_new_edition_keeps_the_usual_permissions(tmp_path):
    _publish_new(tmp_path / "sortie" / "2019")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "sortie" / "2019").stat().st_mode & 0o777 == 0o777 & ~mask


def test_a_failure_leaves_the_previous_edition_and_nothing_else(edition):
    with pytest.raises(ValueError), staging(edition) as folder:
        _write(folder, {"panorama.pdf": "à moitié"})
        raise ValueError("échec")
    assert _state(edition) == OLD
    assert sorted(p.name for p in edition.parent.iterdir()) == ["2019"]


def test_an_edition_behind_a_link_to_another_filesystem(tmp_path):
    elsewhere = Path(tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    try:
        _write(elsewhere / "2019", OLD)
        (tmp_path / "sortie").mkdir()
        (tmp_path / "sortie" / "2019").symlink_to(elsewhere / "2019")
        _publish_new(tmp_path / "sortie" / "2019")
        assert (tmp_path / "sortie" / "2019").is_symlink()  # the user's link is kept, and leads to the new edition
        assert _state(tmp_path / "sortie" / "2019") == NEW
        assert sorted(p.name for p in elsewhere.iterdir()) == ["2019"]
        assert sorted(p.name for p in (tmp_path / "sortie").iterdir()) == ["2019"]
    finally:
        import shutil

        shutil.rmtree(elsewhere)


def test_leftovers_of_killed_builds_are_cleaned(edition):
    for name in (".2019.edition-k1ll3d", ".2019-abcd1234", ".2019-abcd1234-donnees-ancien"):
        _write(edition.parent / name, {"x.csv": "reste"})
    (edition.parent / ".2019.verrou").write_text("")  # a lock file left by a killed build: no lock held
    _publish_new(edition)
    assert _state(edition) == NEW
    assert sorted(p.name for p in edition.parent.iterdir()) == ["2019"]


KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from panorama.output import publish

    step, edition = sys.argv[1], Path(sys.argv[2])

    def kill(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    def then_kill(function):
        def run(*args, **kwargs):
            function(*args, **kwargs)
            kill()
        return run

    if step == "carrying over":
        publish._link = kill
    elif step == "swapping":
        publish._swap = kill
    elif step == "exchanged":
        publish._exchange = lambda first, second, exchange=publish._exchange: (exchange(first, second), kill())
    elif step == "removing the old edition":
        publish.shutil.rmtree = kill
    elif step == "unlocking":
        publish._unlock = kill
    elif step in ("set aside", "renamed in"):  # no atomic exchange here: two renames
        publish._exchange = lambda first, second: False
        if step == "set aside":
            publish.os.replace = then_kill(os.replace)
        else:
            publish.os.rename = then_kill(os.rename)
    with publish.staging(edition) as folder:
        (folder / "panorama.pdf").write_text("nouvelle")
        if step == "writing":
            kill()
        (folder / "donnees").mkdir()
        (folder / "donnees" / "a.csv").write_text("nouvelle")
""")
STEPS = ["writing", "carrying over", "swapping", "exchanged", "removing the old edition", "unlocking",
         "set aside", "renamed in"]


@pytest.mark.parametrize("step", STEPS)
def test_a_build_killed_at_any_step_leaves_a_whole_edition(edition, step):
    killed = subprocess.run([sys.executable, "-c", KILLER, step, str(edition)], env=ENV, capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if step != "set aside":  # there the edition is missing (never mixed) until the next run puts it back
        assert _state(edition) in (OLD, NEW)
    # the next run first puts things right: a failed publication leaves a whole edition…
    with pytest.raises(ValueError), staging(edition):
        raise ValueError("échec")
    assert _state(edition) == (OLD if step in ("writing", "carrying over", "swapping", "set aside") else NEW)
    assert sorted(p.name for p in edition.parent.iterdir()) == ["2019"]
    # …and a publication goes through
    _publish_new(edition)
    assert _state(edition) == NEW


CONCURRENT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from panorama.output.publish import staging

    with staging(Path(sys.argv[1])) as folder:
        (folder / "panorama.pdf").write_text(sys.argv[2])
        time.sleep(1)
        (folder / "donnees").mkdir()
        (folder / "donnees" / "a.csv").write_text(sys.argv[2])
""")


def test_two_builds_into_one_folder_both_end_cleanly(edition):
    builds = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(edition), name], env=ENV,
                               stderr=subprocess.PIPE, text=True) for name in ("première", "seconde")]
    errors = [build.communicate(timeout=60)[1] for build in builds]
    assert [build.returncode for build in builds] == [0, 0], errors
    waited = [err for err in errors if err]
    assert waited == [f"… Une autre production écrit dans {edition} : attente de sa fin\n"]
    last = "seconde" if "attente" in errors[1] else "première"
    assert _state(edition) == {"panorama.pdf": last, "donnees/a.csv": last, "departements/fiche-93.pdf": "fiche 93"}
    assert sorted(p.name for p in edition.parent.iterdir()) == ["2019"]


def test_a_lock_held_by_a_killed_build_is_released(edition):
    holder = subprocess.Popen([sys.executable, "-c", CONCURRENT.replace("time.sleep(1)", "time.sleep(600)"),
                               str(edition), "tuée"], env=ENV)
    lock = edition.parent / ".2019.verrou"
    while not lock.exists():
        pass
    holder.kill()
    holder.wait()
    _publish_new(edition)
    assert _state(edition) == NEW


# --- faults of the machine -----------------------------------------------------------------------

def test_an_output_that_is_a_file_is_refused_at_once(tmp_path):
    (tmp_path / "fichier").write_text("")
    with pytest.raises(OutputError) as error:
        check_output(tmp_path / "fichier" / "2019")
    assert str(error.value) == (f"Impossible d'écrire dans {tmp_path / 'fichier' / '2019'} : {tmp_path / 'fichier'} "
                                "est un fichier, pas un dossier. Choisissez un autre dossier de sortie (--out) ou "
                                "déplacez ce fichier.")
    (tmp_path / "sortie").mkdir()
    (tmp_path / "sortie" / "2019").write_text("")
    with pytest.raises(OutputError, match="sortie/2019 est un fichier, pas un dossier"):
        check_output(tmp_path / "sortie" / "2019")


def test_a_refused_write_is_said_in_french(monkeypatch, tmp_path):
    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "sortie" / ".essai-x"))

    monkeypatch.setattr(publish.tempfile, "mkstemp", refused)
    with pytest.raises(OutputError) as error:
        check_output(tmp_path / "sortie" / "2019")
    assert str(error.value) == (f"Impossible d'écrire {tmp_path / 'sortie'} : permission refusée. Que faire : "
                                "donnez-vous le droit d'écrire dans ce dossier ou choisissez un autre dossier de "
                                "sortie (--out). L'édition précédente est restée intacte.")


def test_a_full_disk_while_publishing_keeps_the_previous_edition(monkeypatch, edition):
    def full(source, destination):
        raise OSError(errno.ENOSPC, "No space left on device", destination)

    monkeypatch.setattr(publish, "_link", full)
    with pytest.raises(OutputError) as error:
        _publish_new(edition)
    assert str(error.value).startswith(f"Impossible d'écrire {edition / 'departements' / 'fiche-93.pdf'} : disque plein. ")
    assert _state(edition) == OLD
    assert sorted(p.name for p in edition.parent.iterdir()) == ["2019"]


def test_a_full_disk_while_writing_names_the_file_in_the_edition(edition):
    with pytest.raises(OutputError) as error, staging(edition) as folder:
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "panorama.pdf"))
    assert str(error.value).startswith(f"Impossible d'écrire {edition / 'panorama.pdf'} : disque plein. ")
    assert _state(edition) == OLD


def test_new_folders_are_added_without_touching_the_rest(tmp_path):
    _write(tmp_path / "donnees", {"2018/operations.csv": "2018", "notes.txt": "à garder"})
    _write(tmp_path / "donnees", {".ajout-k1ll3d/2017/x.csv": "reste d'un exemple interrompu"})
    before = (tmp_path / "donnees" / "notes.txt").stat().st_ino
    with adding(tmp_path / "donnees") as folder:
        _write(folder, {"2019/operations.csv": "2019", "2020/operations.csv": "2020"})
    assert _state(tmp_path / "donnees") == {"2018/operations.csv": "2018", "2019/operations.csv": "2019",
                                            "2020/operations.csv": "2020", "notes.txt": "à garder"}
    assert (tmp_path / "donnees" / "notes.txt").stat().st_ino == before  # never copied nor moved
    with pytest.raises(ValueError), adding(tmp_path / "donnees") as folder:
        _write(folder, {"2021/operations.csv": "2021"})
        raise ValueError("échec")
    assert sorted(p.name for p in (tmp_path / "donnees").iterdir()) == ["2018", "2019", "2020", "notes.txt"]
