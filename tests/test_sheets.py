"""Département sheets, and one number everywhere: what the documents print is
what the open data says."""

from __future__ import annotations

import csv
import io
import math
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from panorama.compose import panorama_report, sheet_report
from panorama.compose.commentary import Texts
from panorama.core.catalogue import KEY_FIGURES
from panorama.core.errors import UsageError
from panorama.core.publications import PANORAMA, SHEETS
from panorama.draw import figures
from panorama.input.source import Example
from panorama.output import render
from panorama.output.opendata import write_open_data
from panorama.pipeline import load_results, run


class _Cells(HTMLParser):
    """Collects the text of elements by class (cards) and the rows of tables."""

    def __init__(self):
        super().__init__()
        self.cards: list[dict[str, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._field = None
        self._caption = None
        self._table = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "li" and "carte" in classes:
            self.cards.append({})
        elif tag == "span" and self.cards and {"valeur", "libelle"} & set(classes):
            self._field = "valeur" if "valeur" in classes else "libelle"
            self.cards[-1][self._field] = ""
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "span":
            self._field = None
        elif tag == "caption":
            self._table = self.tables.setdefault(self._caption, [])
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._field:
            self.cards[-1][self._field] += data
        if self._caption is not None:
            self._caption += data
        if self._cell is not None:
            self._cell += data


def number(text: str) -> float:
    """« 4 884 277 heures » → 4884277 ; « 15,1 % » → 0.151 ; « −1,0 % » → −0.01 ; « 5 142,7 M€ » → 5142700000."""
    cleaned = text.replace("\u202f", "").replace("\u00a0", " ").replace("\u2212", "-").split(" ")[0]
    value = float(cleaned.replace(",", "."))
    return value / 100 if "%" in text else value * 1_000_000 if "M€" in text else value


def close(printed: float, exact: float, kind: str) -> bool:
    tolerance = {"part": 0.0005, "evolution": 0.0005, "euros": 50_000}.get(kind, 0.5)
    return math.isclose(printed, exact, abs_tol=tolerance)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    results = load_results(PANORAMA, 2019, Example())
    folder = tmp_path_factory.mktemp("donnees")
    write_open_data(results, folder)
    with open(folder / "chiffres_cles.csv", encoding="utf-8") as handle:
        key = {(r["perimetre"], r["indicateur"]): float(r["valeur"]) for r in csv.DictReader(handle) if r["valeur"]}
    with open(folder / "repartition_departement_execution.csv", encoding="utf-8") as handle:
        shares = {r["code"]: float(r["part_heures"]) for r in csv.DictReader(handle) if r["perimetre"] == "region"}
    return results, key, shares


def _parse(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


def test_key_figure_cards_are_the_published_numbers(published):
    results, key, _ = published
    document = figures.Figures().draw(panorama_report.build_document(results, Texts(None)))
    page = _parse(render.render_html(document, pdf=False))
    by_label = {meta.label: code for code, meta in KEY_FIGURES.items()}
    assert len(page.cards) == 14
    for card in page.cards:
        code = by_label[card["libelle"].strip()]
        assert close(number(card["valeur"]), key[("region", code)], KEY_FIGURES[code].format), card


def test_departement_table_is_the_published_numbers(published):
    results, key, shares = published
    document = figures.Figures().draw(panorama_report.build_document(results, Texts(None)))
    page = _parse(render.render_html(document, pdf=False))
    rows = page.tables["Chiffres clés par département d'exécution, 2019"]
    header, body = rows[0], rows[1:]
    codes = {p.nom: p.code for p in results.perimeters}
    columns = {"Heures": ("heures", "nombre"), "Participants": ("participants", "nombre"),
               "Contrats": ("contrats", "nombre"), "Opérations": ("operations", "nombre"),
               "Donneurs d'ordre": ("donneurs_ordre", "nombre"), "Part des femmes": ("part_femmes", "part"),
               "Moins de 26 ans": ("part_moins_26", "part"),
               "Évolution des heures / 2018": ("taux_evolution_heures", "evolution")}
    assert len(body) == 9  # 8 départements and the region
    for row in body:
        perimetre = codes[row[0]]
        for name, text in zip(header[1:], row[1:]):
            if name == "Part des heures":
                expected = shares.get(perimetre, 1.0)
                assert close(number(text), expected, "part"), (row[0], name)
                continue
            code, kind = columns[name]
            assert close(number(text), key[(perimetre, code)], kind), (row[0], name, text)


def test_sheet_key_figures_are_the_published_numbers(published):
    results, key, _ = published
    document = figures.Figures().draw(sheet_report.build_sheet(results, "93", Texts(None)))
    page = _parse(render.render_html(document, pdf=False))
    rows = page.tables["Chiffres clés du département et de la région, 2019"]
    by_label = {meta.label[:1].upper() + meta.label[1:]: code for code, meta in KEY_FIGURES.items()}
    for row in rows[1:]:
        code = by_label[row[0]]
        kind = KEY_FIGURES[code].format
        assert close(number(row[1]), key[("93", code)], kind), row
        assert close(number(row[2]), key[("region", code)], kind), row


def test_sheets_are_written_and_short(tmp_path):
    output = run(SHEETS, 2019, Example(), tmp_path, subjects=["93", "75"])
    assert output.files == ["departements/fiche-93-2019.pdf", "departements/fiche-93-2019.html",
                            "departements/fiche-75-2019.pdf", "departements/fiche-75-2019.html"]
    pdf = PdfReader(io.BytesIO((tmp_path / "2019" / "departements" / "fiche-93-2019.pdf").read_bytes()))
    assert 2 <= len(pdf.pages) <= 4
    text = pdf.pages[0].extract_text()
    assert "Seine-Saint-Denis (93)" in text and "Données fictives" in text
    html = (tmp_path / "2019" / "departements" / "fiche-75-2019.html").read_text(encoding="utf-8")
    assert "Heures réalisées par commune d&#39;exécution — Paris" in html
    # building another sheet keeps the ones already there
    run(SHEETS, 2019, Example(), tmp_path, subjects=["77"])
    names = sorted(p.name for p in (tmp_path / "2019" / "departements").iterdir())
    assert names == [f"fiche-{c}-2019.{e}" for c in ("75", "77", "93") for e in ("html", "pdf")]


def test_unknown_departement_lists_the_available_ones(tmp_path):
    with pytest.raises(UsageError, match=r"inconnu : 99\. Départements disponibles : 75, 77, 78, 91, 92, 93, 94, 95"):
        run(SHEETS, 2019, Example(), tmp_path, subjects=["99"])
    assert not (tmp_path / "2019" / "departements").exists() or not any((tmp_path / "2019" / "departements").iterdir())
