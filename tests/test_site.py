"""The static web site (``panorama site``): built only from the published open data, every
number on it equal to the open data, the shipped library with its licence, and in a real
browser (Debian's Chromium driven by ``a11y/site.mjs``): perimeter and year selectors,
the address, the numbers shown, no request leaving the folder, axe on the main views,
keyboard, 390 px, the time to the first view, screenshots.

Expectations are read from the open data CSV files here, independently of
:mod:`panorama.output.site`.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from datasets import run_cli

from panorama.core.config import Config
from panorama.core.errors import UsageError
from panorama.core.formatting import fmt_evolution, fmt_hours, fmt_int, fmt_pct
from panorama.core.publications import PANORAMA
from panorama.input.source import Example
from panorama.output.opendata import write_open_data
from panorama.output.site import write_site
from panorama.pipeline import load_results

A11Y = Path(__file__).parent / "a11y"
YEARS = (2018, 2019)
SHOTS = Path(os.environ.get("PANORAMA_SITE_SHOTS", "/tmp/site-shots"))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The open data of the example for 2018 and 2019, as ``panorama build`` publishes it."""
    out = tmp_path_factory.mktemp("editions")
    for year in YEARS:
        write_open_data(load_results(PANORAMA, year, Example(), Config()), out / str(year) / "donnees")
    return out


@pytest.fixture(scope="module")
def site(published):
    folder, files = write_site(published, 2019, Config())
    return folder, files


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _data(path: Path):
    """The JSON handed to the page by a data script ``panoramaSite.KIND(…);``."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def _number(row: dict, column: str):
    if row["secret"] == "true":
        return "s"
    return float(row[column]) if row[column] != "" else None


def _shown(row: dict, column: str, fmt) -> str:
    value = _number(row, column)
    return "s" if value == "s" else ("n.d." if value is None else fmt(value))


def _key_text(code: str, row: dict) -> str:
    if code.startswith(("part_", "taux_")):
        return _shown(row, "valeur", fmt_pct)
    if code.startswith("etp"):
        return _shown(row, "valeur", fmt_int)
    return _shown(row, "valeur", fmt_hours if code == "heures" else fmt_int)


def expected_view(donnees: Path, perimeter: str, key_figures: list[str], figures: list[str]) -> dict:
    """What the view of ``perimeter`` must show, from the open data in ``donnees``: the
    texts of ``key_figures`` and the rows of the tables of ``figures`` (ids shown)."""
    rows = {row["indicateur"]: row for row in _read(donnees / "chiffres_cles.csv") if row["perimetre"] == perimeter}
    tables = {}
    for ident in figures:
        if ident == "sexe_x_tranche_age":
            cells = {(r["code"].split("|")[0], r["libelle"].split(" × ")[1]): _shown(r, "heures", fmt_hours)
                     for r in _read(donnees / f"repartition_{ident}.csv") if r["perimetre"] == perimeter}
            bands = list(dict.fromkeys(band for _, band in cells))
            tables[ident] = [[band, cells.get(("F", band), "n.d."), cells.get(("M", band), "n.d.")] for band in bands]
        elif ident.startswith("carte_"):
            dimension = "departement_execution" if "departements" in ident else "commune_execution"
            column = "part_heures" if ident.endswith("part_heures") else "heures"
            tables[ident] = [[r["libelle"], _shown(r, column, fmt_pct if column == "part_heures" else fmt_hours)]
                             for r in _read(donnees / f"repartition_{dimension}.csv") if r["perimetre"] == perimeter]
        else:
            found = [r for r in _read(donnees / f"repartition_{ident}.csv") if r["perimetre"] == perimeter]
            if ident == "commune_execution":
                found = sorted(found, key=lambda r: -float(r["heures"] or -1))[:20]
            tables[ident] = [[r["libelle"], _shown(r, "heures", fmt_hours), _shown(r, "part_heures", fmt_pct)]
                             for r in found]
    return {"chiffres": {code: _key_text(code, rows[code]) for code in key_figures}, "tableaux": tables}


def test_every_number_on_the_site_equals_the_open_data(published, site):
    folder, _ = site
    checked = 0
    for year in YEARS:
        donnees = published / str(year) / "donnees"
        key_rows = {(r["perimetre"], r["indicateur"]): r for r in _read(donnees / "chiffres_cles.csv")}
        for path in sorted((folder / "donnees" / str(year)).glob("*.js")):
            view = _data(path)
            perimeter = view["perimetre"]
            assert (view["annee"], path.stem) == (year, perimeter)
            for figure in view["chiffres"]:
                assert figure["valeur"] == _number(key_rows[perimeter, figure["code"]], "valeur")
                assert figure["texte"] == _key_text(figure["code"], key_rows[perimeter, figure["code"]])
                evolution = key_rows.get((perimeter, f"taux_evolution_{figure['code']}"))
                if evolution is not None and figure["evolution"] not in (None, "s"):
                    assert math.isclose(figure["evolution"], float(evolution["valeur"]))
                    assert figure["evolution_texte"] == fmt_evolution(float(evolution["valeur"]))
                checked += 1
            for figure in view["graphiques"] + view["cartes"]:
                dimension = {"departements": "departement_execution", "communes": "commune_execution"}.get(
                    figure["table"], figure["table"].removeprefix("repartition_"))
                published_rows = {r["code"]: r for r in _read(donnees / f"repartition_{dimension}.csv")
                                  if r["perimetre"] == perimeter}
                columns = ["part_heures"] if figure["id"].endswith("part_heures") else ["heures", "part_heures"]
                for code, *values in figure["sources"]:
                    for column, value in zip(columns, values, strict=False):
                        assert value == _number(published_rows[code], column), (path, figure["id"], code)
                        checked += 1
                if figure["vega"] and not figure.get("carte"):  # the values drawn are the values published
                    drawn = sorted(abs(row["valeur"]) for row in figure["vega"]["data"]["values"])
                    assert drawn == sorted(v if isinstance(v, float) else 0.0 for _, v, *_ in figure["sources"])
    assert checked > 1000


def test_the_site_shows_every_perimeter_and_year_published(published, site):
    folder, files = site
    index = _data(folder / "donnees" / "index.js")
    assert [entry["annee"] for entry in index["annees"]] == list(YEARS)
    perimeters = {r["perimetre"] for r in _read(published / "2019" / "donnees" / "chiffres_cles.csv")}
    assert {code for code, _ in index["perimetres"]} == perimeters == {"region", *Config().departements}
    assert {f"donnees/{year}/{code}.js" for year in YEARS for code in perimeters} <= set(files)
    assert index["annees"][0]["publications"] == [
        {"libelle": "Données ouvertes (notice)", "lien": "../../2018/donnees/LISEZMOI.md"},
        {"libelle": "Données ouvertes (description)", "lien": "../../2018/donnees/datapackage.json"},
        {"libelle": "Données ouvertes (tableur)", "lien": "../../2018/donnees/panorama-clauses-sociales-2018.xlsx"}]
    region = _data(folder / "donnees" / "2019" / "region.js")
    assert [m["id"] for m in region["cartes"]] == ["carte_departements_part_heures", "carte_departements_heures"]
    assert region["serie"]["colonnes"][1:] == ["2017", "2018", "2019"]
    seine = _data(folder / "donnees" / "2019" / "93.js")
    assert [m["id"] for m in seine["cartes"]] == ["carte_communes"]
    assert seine["libelle"] == "Seine-Saint-Denis"


def test_secret_cells_show_s_with_their_reason(site):
    folder, _ = site
    secret = [(figure, line) for path in (folder / "donnees" / "2019").glob("*.js")
              for figure in _data(path)["graphiques"] for line in figure["lignes"] if line[1] == "s"]
    assert secret, "the example has secret cells"
    figure, line = secret[0]
    rows = figure["vega"]["data"]["values"]
    marked = [row for row in rows if row["categorie"] == line[0]]
    assert marked and marked[0]["texte"].startswith("s") and "secret statistique" in marked[0]["info"]


def test_the_site_needs_published_open_data(tmp_path):
    with pytest.raises(UsageError, match="panorama build 2019"):
        write_site(tmp_path, 2019, Config())


def test_command_line(published, site, monkeypatch, capsys):
    """``panorama site`` replaces the site in one piece and leaves the rest of the edition alone;
    without published open data it says what to run first."""
    folder, files = site
    (folder / "ancien.txt").write_text("reste d'un site précédent", encoding="utf-8")
    status, out, err = run_cli(monkeypatch, capsys, "site", "2019", "--out", str(published))
    assert status == 0, err
    assert out.startswith(f"Site 2019 écrit dans {folder} (") and f"{len(files)} fichiers" in out
    assert not (folder / "ancien.txt").exists() and (published / "2019" / "donnees" / "chiffres_cles.csv").is_file()
    status, out, err = run_cli(monkeypatch, capsys, "site", "2019", "--out", str(published / "vide"))
    assert status == 1 and "Pas de données ouvertes publiées pour 2019" in err and "panorama build 2019" in err


def test_the_library_is_shipped_with_its_licence_and_nothing_is_fetched(site):
    folder, files = site
    vendor = Path(__file__).parents[1] / "assets" / "site" / "vendor"
    for name in ("vega", "vega-lite", "vega-embed"):
        assert f"vendor/{name}.min.js" in files
        assert "BSD" in (vendor / f"LICENSE-{name}").read_text() or "Redistribution" in (vendor / f"LICENSE-{name}").read_text()
    assert "npm pack" in (vendor / "SOURCE.md").read_text() or "npm install" in (vendor / "SOURCE.md").read_text()
    for name in ("index.html", "site.js", "site.css"):
        text = (folder / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, name
    assert sum((folder / name).stat().st_size for name in files) < 3_000_000


def _tools():
    node = shutil.which("node")
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if node and Path(chromium).exists() and (A11Y / "node_modules" / "playwright-core").is_dir():
        return node, chromium
    message = "contrôle dans le navigateur impossible : il faut node, chromium et `npm ci --prefix tests/a11y`"
    if os.environ.get("CI") or os.environ.get("PANORAMA_A11Y"):
        pytest.fail(message)
    pytest.skip(message)


def test_in_the_browser(published, site, tmp_path):
    """Load the site from file://, change perimeter and year, compare the numbers shown with
    the open data, no request outside the folder, axe, keyboard, 390 px, first view < 1 s."""
    node, chromium = _tools()
    folder, _ = site
    views = {}
    for key in ("2019/region", "2019/93", "2018/93", "2018/75", "2019/77"):
        year, perimeter = key.split("/")
        shown = _data(folder / "donnees" / year / f"{perimeter}.js")
        figures = [f["id"] for f in shown["graphiques"] + shown["cartes"]]
        views[key] = expected_view(published / year / "donnees", perimeter, [f["code"] for f in shown["chiffres"]],
                                   figures)
        assert len(views[key]["chiffres"]) >= 10 and len(figures) >= 15
    expected = tmp_path / "attendu.json"
    expected.write_text(json.dumps({"views": views, "parcours": ["2019/region", "2019/93", "2018/93", "2018/75"],
                                    "carte": "2019/77"}, ensure_ascii=False), encoding="utf-8")
    process = subprocess.run([node, str(A11Y / "site.mjs"), str(folder), str(expected), str(SHOTS)],
                             capture_output=True, text=True, timeout=600, check=False,
                             env={**os.environ, "CHROMIUM": chromium})
    assert process.returncode in (0, 1), process.stderr[-3000:]
    report = json.loads(process.stdout)
    failed = [check for check in report["checks"] if not check["ok"]]
    assert not failed, json.dumps(failed, ensure_ascii=False, indent=1)
    names = {check["name"] for check in report["checks"]}
    assert {"aucune requête hors du dossier du site", "axe (2019/93)", "axe (2019/region)",
            "valeurs affichées = données ouvertes (2018/75)"} <= names
    for shot in ("accueil-1280.png", "carte-1280.png", "accueil-390.png", "carte-390.png"):
        assert (SHOTS / shot).stat().st_size > 10_000
