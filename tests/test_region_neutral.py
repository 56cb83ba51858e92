"""Nothing of Île-de-France (its observatory's publisher, its map inset, the Métropole du
Grand Paris) in the publications of another region unless its configuration says so:
a Hauts-de-France edition end to end (panorama, sheets, every study, open data)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from panorama.core.config import Config, load_config
from panorama.output.opendata import provenance

ROOT = Path(__file__).resolve().parents[1]
HDF = ("02", "59", "60", "62", "80")
IDF_WORDS = re.compile(r"Maximilien|MACS|Grand Paris|Île-de-France|Ile-de-France|petite couronne")


def test_another_region_gets_no_publisher_nor_inset_by_default(tmp_path):
    path = tmp_path / "panorama.toml"
    path.write_text('[region]\nnom = "Hauts-de-France"\nprefixe = "dans les"\ndepartements = [2, 59, 60, 62, 80]\n',
                    encoding="utf-8")
    config = load_config(path)
    assert (config.observatoire_porteur, config.encart) == ("", ())
    path.write_text('[region]\nnom = "Hauts-de-France"\ndepartements = [2, 59, 60, 62, 80]\n'
                    '[observatoire]\nporteur = "Préfecture de région"\n', encoding="utf-8")
    assert load_config(path).observatoire_porteur == "Préfecture de région"
    path.write_text('[rapport]\netp_diviseur = 1607\n', encoding="utf-8")  # Île-de-France: its defaults
    assert (load_config(path).observatoire_porteur, load_config(path).encart) == (
        Config().observatoire_porteur, Config().encart)


def test_a_data_package_without_publisher_names_none():
    contributors = provenance(Config(observatoire_porteur=""), 2019, example=False)["contributors"]
    assert contributors == [{"title": "Observatoire régional des clauses sociales", "roles": ["publisher"]}]
    contributors = provenance(Config(), 2019, example=False)["contributors"]
    assert contributors[0]["organization"] == Config().observatoire_porteur


def _panorama(*args: str) -> str:
    process = subprocess.run([sys.executable, "-m", "panorama.cli", *args], capture_output=True, text=True,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=600)
    assert process.returncode == 0, process.stderr
    return process.stdout


@pytest.fixture(scope="module")
def hauts_de_france(tmp_path_factory) -> Path:
    """A small synthetic Hauts-de-France dataset, built with a configuration that sets only [region]."""
    root = tmp_path_factory.mktemp("hdf")
    codes = [option for code in HDF for option in ("--departement", code)]
    _panorama("example", "--out", str(root / "donnees"), "--contrats", "3000", *codes, "--annee", "2018",
              "--annee", "2019")
    config = root / "panorama.toml"
    config.write_text('[region]\nnom = "Hauts-de-France"\nprefixe = "dans les"\ndepartements = [2, 59, 60, 62, 80]\n',
                      encoding="utf-8")
    common = ["--data", str(root / "donnees"), "--out", str(root / "sortie"), "--config", str(config),
              "--sans-cache"]
    _panorama("build", "2019", *common)
    _panorama("build", "2019", "--departements", *common)
    for study in ("femmes", "jeunes", "mobilite"):
        _panorama("study", study, "2019", *common)
    return root / "sortie" / "2019"


def test_a_hauts_de_france_edition_says_nothing_of_ile_de_france(hauts_de_france):
    import pypdf

    texts = {}
    for path in sorted(hauts_de_france.rglob("*")):
        if path.suffix in (".html", ".csv", ".json", ".md"):
            texts[path] = path.read_text(encoding="utf-8")
        elif path.suffix == ".pdf":
            texts[path] = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert {p.relative_to(hauts_de_france).parts[0] for p in texts} == {
        "panorama-2019.html", "panorama-2019.pdf", "donnees", "departements", "etudes"}
    assert len([p for p in texts if p.parts[-3:-1] == ("2019", "departements")]) == 2 * len(HDF)
    leaks = {str(path.relative_to(hauts_de_france)): sorted(set(IDF_WORDS.findall(text)))
             for path, text in texts.items() if IDF_WORDS.search(text)}
    assert leaks == {}
    assert "dans les Hauts-de-France" in texts[hauts_de_france / "panorama-2019.html"]
