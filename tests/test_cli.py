"""The command line end to end: one real build in a subprocess, the rest through ``main()``.

``panorama.cli.main`` is the console script: it returns the real exit status
and translates the parser's usage errors into French (``CliRunner`` on
``cli.app`` runs click's standalone mode instead, with English usage errors),
so every in-process test goes through ``main()`` with a patched ``sys.argv``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from datasets import OPEN_CONFIG_TOML, run_cli, write_dataset
from independent import tiny_previous_tables, tiny_tables

REPO = Path(__file__).resolve().parent.parent


run = run_cli


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("donnees")
    write_dataset(root, 2019, tiny_tables())
    write_dataset(root, 2018, tiny_previous_tables())
    return root


@pytest.fixture(scope="module")
def open_config_file(tmp_path_factory) -> Path:
    """``--config`` file switching the confidentiality rule off: the fixture counts a handful of
    people, and this build checks its figures one by one."""
    path = tmp_path_factory.mktemp("config") / "panorama.toml"
    path.write_text(OPEN_CONFIG_TOML, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory, data, open_config_file):
    """One full build (PDF included) in a real process, over a previous edition."""
    out = tmp_path_factory.mktemp("sortie")
    (out / "2019" / "donnees").mkdir(parents=True)
    (out / "2019" / "donnees" / "ancien-fichier.csv").write_text("à remplacer")
    (out / "2019" / "departements").mkdir()
    (out / "2019" / "departements" / "fiche-93-2019.pdf").write_text("fiche à garder")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.pop("PANORAMA_DEBUG", None)
    process = subprocess.run([sys.executable, "-m", "panorama.cli", "build", "2019", "--data", str(data),
                              "--out", str(out), "--config", str(open_config_file)],
                             check=False, capture_output=True, text=True, env=env, timeout=300)
    return process, out / "2019"


# --- a full build --------------------------------------------------------------------------------

def test_build_succeeds_and_says_what_it_wrote(built):
    process, folder = built
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stdout + process.stderr
    assert f"Panorama 2019 écrit dans {folder}" in process.stdout
    for name in ("panorama-2019.pdf", "panorama-2019.html", "donnees/chiffres_cles.csv",
                 "donnees/datapackage.json"):
        assert f"  {name}\n" in process.stdout
    assert "Calcul des indicateurs" in process.stderr  # progress, in French, on stderr
    assert "données fictives" not in process.stdout   # real data given: no warning


def test_build_replaces_the_previous_edition_completely(built):
    _, folder = built
    assert not (folder / "donnees" / "ancien-fichier.csv").exists()  # the open data is replaced whole
    assert (folder / "departements" / "fiche-93-2019.pdf").read_text() == "fiche à garder"  # sheets are not its own
    assert sorted(p.name for p in folder.parent.iterdir()) == ["2019"]  # no staging folder left


def test_build_writes_a_pdf(built):
    _, folder = built
    pdf = folder / "panorama-2019.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) >= 10
    assert "2019" in reader.pages[0].extract_text()


def test_build_writes_a_self_contained_french_html_page(built):
    _, folder = built
    html = (folder / "panorama-2019.html").read_text(encoding="utf-8")
    assert re.search(r"<html[^>]*\blang=\"fr\"", html)
    # no resource fetched from the network: images, styles, scripts, fonts all embedded
    assert not re.search(r"""\b(?:src|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"""<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"@import", html, re.IGNORECASE)


def test_build_writes_the_open_data(built):
    _, folder = built
    lines = (folder / "donnees" / "chiffres_cles.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "perimetre,indicateur,valeur,secret"
    assert "region,heures,3800,false" in lines and "93,heures,2600.5,false" in lines
    assert "75,contrats,4,false" in lines
    assert all(line.endswith(",false") for line in lines[1:])  # the rule is off: nothing masked
    assert (folder / "donnees" / "repartition_sexe.csv").is_file()


# --- validate ------------------------------------------------------------------------------------

def test_validate_prints_the_french_summary(monkeypatch, capsys, data):
    status, out, err = run(monkeypatch, capsys, "validate", "2019", "--data", str(data))
    assert status == 0, err
    assert "Bilan de qualité des données 2019" in out
    assert re.search(r"participants\s+6\s+5\s+1", out)  # read, kept, excluded
    assert "sans contrat dans l'année" in out
    assert "Aucune erreur" in out


# --- failures: French message, no traceback, previous outputs untouched --------------------------

def _broken(kind: str) -> dict:
    tables = tiny_tables()
    if kind == "table manquante":
        del tables["entreprises"]
    elif kind == "code inconnu":
        tables["operations"][0]["modalite"] = "Article 99"
    elif kind == "contrat orphelin":
        tables["contrats"][2]["operation_id"] = "OP9"
    elif kind == "heures nulles":
        tables["contrats"][0]["heures"] = "0"
        tables["contrats"][4]["heures"] = "-12"
    return tables


FAILURES = {
    "dossier manquant": ["dossier de données introuvable"],
    "table manquante": ["table « entreprises » introuvable"],
    "code inconnu": ["operations.csv, ligne 2, colonne « modalite » : valeur non reconnue",
                     "« Article 99 »", "CLAUSE_EXECUTION"],
    "contrat orphelin": ["contrats.csv, ligne 4, colonne « operation_id »", "contrat « C3 »", "« OP9 »"],
    "heures nulles": ["2 erreurs dans les données", "ligne 2, colonne « heures » : nombre d'heures nul ou négatif",
                      "ligne 6", "« -12 »"],
}


@pytest.mark.parametrize("kind", list(FAILURES))
@pytest.mark.parametrize("command", ["build", "validate"])
def test_bad_data_fails_in_french_and_leaves_previous_outputs(monkeypatch, capsys, tmp_path, kind, command):
    root = tmp_path / "donnees"
    if kind != "dossier manquant":
        write_dataset(root, 2019, _broken(kind))
    out = tmp_path / "sortie"
    (out / "2019" / "donnees").mkdir(parents=True)
    (out / "2019" / "donnees" / "marqueur.txt").write_text("édition précédente")
    extra = ["--out", str(out)] if command == "build" else []
    status, stdout, err = run(monkeypatch, capsys, command, "2019", "--data", str(root), *extra)
    assert status == 1
    assert stdout == ""
    assert "erreur" in err and "dans les données" in err
    for text in FAILURES[kind]:
        assert text in err
    assert (out / "2019" / "donnees" / "marqueur.txt").read_text() == "édition précédente"
    assert sorted(p.name for p in out.iterdir()) == ["2019"]


def test_a_failure_while_writing_leaves_previous_outputs(monkeypatch, capsys, tmp_path, data):
    """The failure happens after the HTML and part of the PDF are written in the staging folder."""
    from panorama.compose import panorama_report
    from panorama.compose.document import Document
    from panorama.output import render

    written = []

    def failing_pdf(html, path, **options):  # options: archive=… (PDF/A)
        Path(path).write_bytes(b"%PDF-1.7 tronqu")
        written.extend(sorted(p.name for p in Path(path).parent.iterdir()))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(panorama_report, "build_document", lambda results, texts: Document(
        title="", subtitle="", year=2019, region="", observatory="", publisher="", sections=[], example=True))
    monkeypatch.setattr(render, "render_html", lambda document, pdf: "<html lang=\"fr\"></html>")
    monkeypatch.setattr(render, "write_pdf", failing_pdf)
    out = tmp_path / "sortie"
    (out / "2019").mkdir(parents=True)
    (out / "2019" / "marqueur.txt").write_text("édition précédente")
    status, stdout, err = run(monkeypatch, capsys, "build", "2019", "--data", str(data), "--out", str(out))
    # half-way through the staging folder (``donnees`` too, when the background writer was quick)
    assert [name for name in written if name != "donnees"] == ["panorama-2019.html", "panorama-2019.pdf"]
    assert status == 1  # a fault of the machine, said in French: not an internal error
    assert f"Impossible d'écrire {out / '2019'} : disque plein." in err  # the error names no file
    assert "libérez de la place" in err and "L'édition précédente est restée intacte." in err
    assert "Erreur interne" not in err and "Traceback" not in err
    assert "Panorama 2019 écrit" not in stdout
    assert sorted(p.name for p in (out / "2019").iterdir()) == ["marqueur.txt"]
    assert sorted(p.name for p in out.iterdir()) == ["2019"]  # no « .2019-* » staging folder left


# --- usage ---------------------------------------------------------------------------------------

def test_help_is_french(monkeypatch, capsys):
    status, out, _ = run(monkeypatch, capsys, "--help")
    assert status == 0
    assert out.startswith("Utilisation\u00a0: panorama [OPTIONS] COMMANDE [ARGUMENTS]…")
    assert "\nOptions\u00a0:\n" in out and "\nCommandes\u00a0:\n" in out and "Affiche cette aide et quitte." in out
    assert "Produit le panorama de l'année" in out and "Vérifie les données" in out
    assert "Show this message" not in out and "Usage:" not in out and "[ARGS]" not in out
    status, out, _ = run(monkeypatch, capsys, "build", "--help")
    assert status == 0 and "Utilisation\u00a0: panorama build" in out and "Dossier de sortie" in out
    assert "[par défaut\u00a0: build]" in out and "[obligatoire]" in out
    assert "\nArguments\u00a0:\n" in out and "<str>" not in out
    assert not re.search(r"[a-z]: ", out.replace("https: ", ""))  # no English colon anywhere


def test_no_argument_shows_the_help(monkeypatch, capsys):
    status, out, _ = run(monkeypatch, capsys)
    assert status == 0 and "Utilisation\u00a0: panorama" in out


@pytest.mark.parametrize("command", ["build", "validate"])
def test_invalid_year(monkeypatch, capsys, tmp_path, data, command):
    extra = ["--out", str(tmp_path / "sortie")] if command == "build" else []
    status, out, err = run(monkeypatch, capsys, command, "20x9", "--data", str(data), *extra)
    assert status == 1
    assert out == ""
    assert "Année invalide : « 20x9 »" in err and "par exemple 2019" in err
    assert not (tmp_path / "sortie").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["build", "2019", "--zzz"], "option inconnue : --zzz"),
    (["validate"], "argument manquant : ANNEE"),
    (["publier", "2019"], "commande inconnue : « publier »"),
])
def test_usage_errors_exit_2_in_french(monkeypatch, capsys, args, message):
    status, out, err = run(monkeypatch, capsys, *args)
    assert status == 2
    assert out == ""
    assert err.startswith("Erreur d'utilisation\u00a0: ") and message in err
    assert "--help" in err


@pytest.mark.parametrize(("args", "message"), [
    (["build", "2019", "--dat", "D"], "option inconnue : --dat"),    # a typo: click suggests --data
    (["validate", "2019", "2020"], "argument en trop : 2020"),
])
def test_usage_errors_with_click_extras_are_french_too(monkeypatch, capsys, args, message):
    status, _, err = run(monkeypatch, capsys, *args)
    assert status == 2
    assert message in err
    assert "Possible options" not in err and "Got unexpected" not in err
