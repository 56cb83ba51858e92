"""The panorama document and its rendering, on the embedded example data."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from panorama.compose import panorama_report
from panorama.compose.commentary import Texts
from panorama.core.formatting import fmt_hours, fmt_int, fmt_pct
from panorama.core.publications import PANORAMA
from panorama.draw import figures
from panorama.input.source import Example
from panorama.output import render
from panorama.pipeline import load_results

SECTIONS = ["L'essentiel", "Chiffres clés", "Les opérations et les donneurs d'ordre", "Les heures d'insertion",
            "Les participants", "Parcours et sorties", "Territoires", "Évolution", "Méthodologie",
            "À propos de cette publication"]


@pytest.fixture(scope="module")
def results():
    return load_results(PANORAMA, 2019, Example())


@pytest.fixture(scope="module")
def document(results):
    return figures.Figures().draw(panorama_report.build_document(results, Texts(None)))


@pytest.fixture(scope="module")
def html(document):
    return render.render_html(document, pdf=False)


@pytest.fixture(scope="module")
def pdf_path(document, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "panorama.pdf"
    render.write_pdf(render.render_html(document, pdf=True), path)
    return path


@pytest.fixture(scope="module")
def pdf(pdf_path):
    return PdfReader(io.BytesIO(pdf_path.read_bytes()))


def test_sections_follow_the_report_spec(document):
    assert [s.title for s in document.sections] == SECTIONS


def test_key_figure_cards_show_the_results(document, results):
    key = next(s for s in document.sections if s.id == "chiffres-cles")
    cards = {c.label: c for block in key.blocks if block.block == "cards" for c in block.cards}
    assert cards["heures d'insertion réalisées"].value == results.figure("heures")
    assert cards["participants"].value == results.figure("participants")
    assert cards["de femmes"].value == results.figure("part_femmes")
    # the example has 2018: every card carries its evolution with an arrow direction
    assert all(c.evolution and c.direction in {"hausse", "baisse", "stable"} for c in cards.values())


def test_every_figure_has_an_alt_text_stating_figures(document):
    figures = [b for s in document.sections for b in s.blocks if b.block == "figure"]
    assert len(figures) >= 15
    for figure in figures:
        assert figure.png.startswith(b"\x89PNG")
        assert re.search(r"\d", figure.alt), figure.title
        assert figure.source


def test_html_is_french_self_contained_and_marked_fictitious(html, results):
    assert '<html lang="fr">' in html
    assert "Données fictives" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert fmt_hours(results.figure("heures")).split("\u00a0")[0] in html
    assert "<caption>" in html and 'scope="col"' in html
    assert html.count("<details>") >= 15  # the data table behind each chart


def test_women_title_states_the_finding(document, results):
    titles = [b.title for s in document.sections for b in s.blocks if b.block == "figure"]
    assert f"Les femmes restent minoritaires : {fmt_pct(results.figure('part_femmes'))} des participants" in titles


def test_markdown_text_replaces_a_generated_paragraph(results, tmp_path):
    (tmp_path / "edito.md").write_text("Une **année record** pour les clauses.\n\n<script>x</script>",
                                       encoding="utf-8")
    (tmp_path / "chiffres_cles.md").write_text("Texte de l'observatoire.", encoding="utf-8")
    doc = figures.Figures().draw(panorama_report.build_document(results, Texts(tmp_path)))
    page = render.render_html(doc, pdf=False)
    assert "Une <strong>année record</strong> pour les clauses." in page
    assert "<script>x</script>" not in page  # raw HTML in Markdown is not passed through
    assert "Texte de l&#39;observatoire." in page or "Texte de l'observatoire." in page
    assert "Cet espace accueille l'éditorial" not in page
    essentiel = doc.sections[0]
    assert [b.block for b in essentiel.blocks] == ["text", "findings"]  # the editorial, then the findings
    assert ("edito", True) in doc.texts and ("essentiel", False) in doc.texts


def test_essentiel_states_the_findings_of_the_year(document, results, html):
    """« L'essentiel » replaces the empty editorial: 5 to 7 findings with their figures."""
    essentiel = document.sections[0]
    assert essentiel.title == "L'essentiel" and not any(b.block == "text" for b in essentiel.blocks)
    (findings,) = essentiel.blocks
    assert 5 <= len(findings.items) <= 7
    assert findings.items[0].startswith(fmt_hours(results.figure("heures")) + " d'insertion réalisées "
                                        "en Île-de-France en 2019")
    assert all(re.search(r"\d", item) and item.endswith(".") for item in findings.items)
    share = fmt_pct(results.figure("part_sortie_emploi_durable"))
    assert any(share in item and "la situation n'est connue que pour" in item for item in findings.items)
    assert any("premier département de la région" in item and re.search(r"% des heures ont été réalisées "
               r"(en|à|dans) ", item) for item in findings.items)
    for placeholder in ("placez un fichier", "Cet espace accueille", ".md"):
        assert placeholder not in html


def test_texts_summary_lists_supplied_and_generated():
    from panorama.cli import texts_summary

    text = texts_summary([("edito", True), ("essentiel", False), ("heures", False)], None)
    assert text == ("Textes\u00a0: 1 fourni par l'observatoire (edito) ; 2 générés à partir des chiffres, "
                    "remplaçables par un fichier CLÉ.md dans le dossier des textes (rapport.textes)\u00a0: "
                    "essentiel, heures.")


def test_pdf_pages_are_numbered_tagged_and_marked(pdf, results):
    assert 15 <= len(pdf.pages) <= 40
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert str(root.get("/Lang")).lower().startswith("fr")
    total = len(pdf.pages)
    for number, page in enumerate(pdf.pages, start=1):
        text = page.extract_text()
        assert "Données fictives" in text
        if number > 1:
            assert f"{number} / {total}" in text
    contents = "".join(page.extract_text() for page in pdf.pages[:5])
    assert fmt_int(results.figure("participants")).replace("\u202f", " ") in contents.replace("\u202f", " ")


def test_table_of_contents_gives_page_numbers(pdf):
    toc = pdf.pages[1].extract_text()
    assert "Sommaire" in toc
    assert re.search(r"Méthodologie\s*\.+\s*\d+", toc)


def test_no_code_identifier_nor_placeholder_in_the_pdf(pdf):
    """A reader's document: no snake_case code, no file or folder name, no instruction to a technician."""
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    for developer in ("« donnees »", ".csv", ".md", "placez un fichier", "datapackage.json »"):
        assert developer not in text


def test_every_acronym_used_is_spelled_out(document):
    from panorama.compose import editorial

    methodology = next(s for s in document.sections if s.id == "methodologie")
    glossary = next(b for b in methodology.blocks if getattr(b, "caption", "") == "Sigles utilisés")
    spelled = {row[0] for row in glossary.rows} | {row[2] for row in glossary.rows if row[2]}
    assert {"NPNRU", "JOP", "ESS", "PLIE", "QPV", "SIAE", "ETP"} <= spelled
    assert spelled == set(editorial.acronyms_used(document.sections[:-1]))


def test_colophon_comes_from_the_configuration(results):
    import dataclasses
    import datetime

    from panorama.compose import editorial

    config = dataclasses.replace(results.config, directeur_publication="Claire Martin", contact="obs@exemple.fr",
                                 site="https://obs.exemple.fr", donnees_url="https://data.exemple.fr/panorama",
                                 partenaires=("Région", "État"), financement="Cofinancé par le FSE+.",
                                 date_publication=datetime.date(2020, 6, 15))
    colophon = editorial.colophon(config, 2019)
    rows = dict(colophon.blocks[0].rows)
    assert rows["Directeur de la publication"] == "Claire Martin" and rows["Contact"] == "obs@exemple.fr"
    assert rows["Site internet"] == "https://obs.exemple.fr"
    assert rows["Données ouvertes"] == "https://data.exemple.fr/panorama"
    assert rows["Date de publication"] == "15 juin 2020" and rows["Partenaires"] == "Région, État"
    assert rows["Financement"] == "Cofinancé par le FSE+." and "Licence Ouverte 2.0" in rows["Licence"]
    assert "Contact" not in dict(editorial.colophon(results.config, 2019).blocks[0].rows)  # not configured: left out


def test_french_typography_keeps_guillemets_together(html):
    from panorama.core.formatting import french_typography

    assert french_typography("le public « RSA » : oui ; non ?") == \
        "le public «\u00a0RSA\u00a0»\u00a0: oui\u202f; non\u202f?"
    body = html.split("</style>")[-1]
    assert "« " not in body and " »" not in body


def test_unknown_values_are_apart_and_shares_are_on_known_values(document, results):
    """The bar of a rate computed on known values shows that rate: « Réside en QPV » is the key
    figure part_qpv; « Non renseigné » and « … inconnu » are in the note, not bars."""
    figures = {b.title: b for s in document.sections for b in s.blocks if b.block == "figure"}
    qpv = figures["Résidence en QPV"]
    assert "Non renseigné" not in qpv.spec.categories
    assert qpv.spec.shares[list(qpv.spec.categories).index("Réside en QPV")] == pytest.approx(
        results.figure("part_qpv"))
    assert "Parts calculées sur les valeurs connues ; hors graphique, non renseigné : " in qpv.note
    prescribers = figures["Prescripteurs"]
    assert not {"Prescripteur inconnu", "Non renseigné"} & set(prescribers.spec.categories)
    assert "prescripteur inconnu : " in prescribers.note and "non renseigné : " in prescribers.note
    situation = figures["Situation six mois après le dernier contrat"]
    durable = list(situation.spec.categories).index(
        "Emploi durable (CDI, CDD ou intérim de 6 mois et plus, création d'entreprise)")
    assert situation.spec.shares[durable] == pytest.approx(results.figure("part_sortie_emploi_durable"))


def test_web_page_offers_each_figure_drawn_for_small_screens(document, html):
    from panorama.compose import figspec

    figures = [b for s in document.sections for b in s.blocks if b.block == "figure"]
    assert html.count('<source media="(max-width: 40rem)" srcset="data:image/png;base64,') == len(figures)
    for figure in figures:
        assert figure.narrow_image.width_cm == pytest.approx(figspec.NARROW_WIDTH_CM)
        assert render._data_uri(figure.narrow_png) in html and figure.narrow_png != figure.png
    assert "<picture>" not in render.render_html(document, pdf=True)


def test_counts_are_mapped_as_circles_and_rates_as_choropleths(document):
    maps = {b.title: b.spec for s in document.sections for b in s.blocks
            if b.block == "figure" and b.spec.kind == "departements"}
    assert maps["Participants par département de résidence"].symbols
    assert maps["Part des femmes par département d'exécution"].symbols is False
    hours = next(spec for title, spec in maps.items() if spec.legend_title == "Heures réalisées")
    assert hours.symbols and hours.unit == "heures"


def test_age_pyramid_has_five_year_bands_by_sex(tmp_path):
    """On the hand-made data (P1 F 25, P2 M 26, P3 F 50, P4 M 49, P5 M 20 in 2019)."""
    from datasets import open_config, write_dataset
    from independent import tiny_tables

    from panorama.compose.composer import Composer, figure_pyramid
    from panorama.input import validation
    from panorama.protect.results import compute

    write_dataset(tmp_path, 2019, tiny_tables())
    results = compute(validation.load_years(tmp_path, 2019)[0], None, open_config(), example=False)
    figure = figure_pyramid(Composer(results, Texts(None)), "Pyramide des âges")
    spec = figure.spec
    assert spec.kind == "pyramide" and len(spec.categories) == 10
    assert (spec.categories[0], spec.categories[-1]) == ("Moins de 20 ans", "60 ans ou plus")
    (women_label, women), (men_label, men) = spec.series
    assert (women_label, men_label) == ("Femmes", "Hommes")
    assert {band: v for band, v in zip(spec.categories, women) if v} == {"25-29 ans": 1.0, "50-54 ans": 1.0}
    assert {band: v for band, v in zip(spec.categories, men) if v} == {"20-24 ans": 1.0, "25-29 ans": 1.0,
                                                                       "45-49 ans": 1.0}
    assert figure.table.rows[1] == ["20-24 ans", 0, 1]
    assert figure.note == ""


def blank_bottom_shares(pdf_path, folder) -> list[float]:
    """Share of each page's text area left blank below its last printed line (pages rendered at
    40 dpi by pdftoppm, header and footer margins aside)."""
    import subprocess

    import numpy as np
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf_path), str(folder / "p")], check=True)
    shares = []
    for image in sorted(folder.glob("p-*.pgm")):
        pixels = np.asarray(Image.open(image))
        height = pixels.shape[0]
        area = pixels[int(height * 18 / 297) + 2:height - int(height * 20 / 297) - 2]
        inked = np.flatnonzero(area.min(axis=1) <= 240)
        shares.append(1.0 if not len(inked) else (len(area) - 1 - inked[-1]) / len(area))
    return shares


def test_no_page_is_more_than_half_empty_except_at_a_chapters_end(pdf, pdf_path, document, tmp_path):
    import shutil

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) absent")
    shares = blank_bottom_shares(pdf_path, tmp_path)
    titles = [s.title for s in document.sections]
    starts = [number for number, page in enumerate(pdf.pages) if any(
        line.strip() in titles for line in page.extract_text().splitlines()[:3])]
    chapter_ends = {start - 1 for start in starts} | {len(pdf.pages) - 1}
    assert len(starts) >= len(titles) - 2  # the section titles were found
    too_empty = [(number + 1, f"{share:.0%}") for number, share in enumerate(shares)
                 if number not in chapter_ends and number > 0 and share > 0.55]
    assert not too_empty


def test_tiles_fill_their_rows_and_place_names_are_not_broken(html):
    from panorama.compose.document import Card, Cards
    from panorama.draw.charts import _wrap

    def grid(n):
        return Cards("", [Card("x", 1.0, "nombre")] * n).columns

    assert [grid(n) for n in (3, 4, 5, 6, 8, 9, 10)] == [3, 4, 5, 3, 4, 3, 5]
    assert "Seine-Saint-\n" not in _wrap("Part des femmes en Seine-Saint-Denis", 40, 9)
    assert "demandeurs-\n" in _wrap("demandeurs-emploi", 30, 9)  # a common word may still break
    assert '<span class="lieu">Seine-Saint-Denis</span>' in html
