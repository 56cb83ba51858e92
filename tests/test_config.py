"""The configuration is checked whole before any data is read, each problem a French
message naming the key."""

from __future__ import annotations

import datetime as dt

import pytest

from panorama.core.config import Config, load_config
from panorama.core.errors import ConfigError


def _load(tmp_path, content: str) -> Config:
    path = tmp_path / "panorama.toml"
    path.write_text(content, encoding="utf-8")
    return load_config(path)


def test_departements_as_integers_or_strings(tmp_path):
    config = _load(tmp_path, '[region]\nnom = "Hauts-de-France"\ndepartements = [2, 59, 60, "62", "80"]\n'
                             'encart = [59]\n')
    assert config.departements == ("02", "59", "60", "62", "80")
    assert config.encart == ("59",)
    assert _load(tmp_path, '[region]\ndepartements = ["2a", "2B", 971]\nencart = []\n').departements == (
        "2A", "2B", "971")


def test_a_date_may_be_written_as_a_string(tmp_path):
    config = _load(tmp_path, '[observatoire]\ndate_publication = "2020-06-15"\n')
    assert config.date_publication == dt.date(2020, 6, 15)


def test_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "textes").mkdir()
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    config = _load(tmp_path, '[observatoire]\nlogo = "logo.png"\n[rapport]\ntextes = "textes"\n')
    assert (config.logo, config.textes) == ((tmp_path / "logo.png").resolve(), (tmp_path / "textes").resolve())


@pytest.mark.parametrize("content, message", [
    ('[region]\ndepartements = [2, 59, 600]\n',
     "« region.departements » contient « 600 », qui n'est pas un code de département connu"),
    ('[region]\ndepartements = ["75", 75]\n', "« region.departements » contient deux fois le département « 75 »"),
    ('[region]\ndepartements = [2.5]\n', "« region.departements » contient 2.5 ; attendu des codes de département"),
    ('[region]\ndepartements = []\n', "« region.departements » est vide"),
    ('[region]\ndepartements = "75"\n', "« region.departements » a la valeur '75', de type inattendu "
                                         r"\(attendu : une liste entre crochets\)"),
    ('[region]\ndepartements = [59, 62]\nencart = ["75"]\n', "« region.encart » contient 75, hors de "
                                                             r"« region.departements » \(59, 62\)"),
    ('[region]\nhors_region = "ignorer"\n', "« region.hors_region » vaut « ignorer », attendu « erreur » ou "
                                            "« exclure »"),
    ('[observatoire]\ndate_publication = "15/06/2020"\n',
     "« observatoire.date_publication » vaut « 15/06/2020 », qui n'est pas une date"),
    ('[rapport]\ncouleur_principale = "bleu"\n', "« rapport.couleur_principale » vaut « bleu » ; attendu une "
                                                 "couleur #RRVVBB"),
    ('[rapport]\ntextes = "absent"\n', "« rapport.textes » : dossier introuvable"),
    ('[observatoire]\nlogo = "logo.gif"\n', "« observatoire.logo » : logo introuvable ou de format non pris en "
                                            "charge"),
    ('[secret]\ndominance = 1.5\n', "« secret.dominance » vaut 1.5 ; attendu entre 0 et 1"),
    ('[secret]\nseuil = 0\n', "« secret.seuil » vaut 0 ; attendu au moins 1"),
])
def test_configuration_errors_name_the_key(tmp_path, content, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, content)


def test_the_configuration_is_checked_before_reading_data(monkeypatch, capsys, tmp_path):
    from datasets import run_cli

    from panorama.input import validation

    monkeypatch.setattr(validation, "load_history", lambda *args, **kwargs: pytest.fail("data read first"))
    path = tmp_path / "panorama.toml"
    path.write_text('[region]\ndepartements = [2, 59, 600]\n', encoding="utf-8")
    for command in (["build", "2019"], ["study", "femmes", "2019"]):
        status, stdout, err = run_cli(monkeypatch, capsys, *command, "--config", str(path),
                                      "--out", str(tmp_path / "sortie"))
        assert (status, stdout) == (1, "")
        assert err.startswith(f"{path} : « region.departements » contient « 600 »")


def test_the_example_built_for_another_region_names_the_operations_outside(monkeypatch, capsys, tmp_path):
    from datasets import run_cli

    path = tmp_path / "panorama.toml"
    path.write_text('[region]\nnom = "Hauts-de-France"\ndepartements = [2, 59, 60, 62, 80]\nencart = []\n',
                    encoding="utf-8")
    status, stdout, err = run_cli(monkeypatch, capsys, "build", "2019", "--config", str(path),
                                  "--out", str(tmp_path / "sortie"))
    assert (status, stdout) == (1, "")
    assert "colonne « departement » : opération hors de la région Hauts-de-France (départements configurés : " \
           "02, 59, 60, 62, 80), lignes " in err
    assert "(valeur : « 77 ») ; attendu : un département de la région" in err
    assert not (tmp_path / "sortie" / "2019").exists()


def test_operations_outside_the_region_excluded_are_reported_at_build_time_and_in_the_methodology(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "panorama.toml"
    path.write_text('[region]\ndepartements = ["75", "78", "91", "92", "93", "94", "95"]\nhors_region = "exclure"\n',
                    encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    process = subprocess.run([sys.executable, "-m", "panorama.cli", "build", "2019", "--config", str(path),
                              "--out", str(tmp_path / "sortie"), "--sans-cache"], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(root)}, timeout=600)
    assert process.returncode == 0, process.stderr
    assert ("- 127 opérations hors de la région Île-de-France exclues (départements 77 : 127), avec 848 contrats et "
            "747 participants sans autre contrat : non comptés (") in process.stdout
    html = (tmp_path / "sortie" / "2019" / "panorama-2019.html").read_text(encoding="utf-8")
    assert "hors de la région (127)" in html and "contrat d&#39;une opération hors de la région (848)" in html
    assert "Seine-et-Marne" not in html
