"""No line break at the hyphen of a place name (« Seine-/Saint-Denis »), in the running text
of every publication, PDF and web page alike: the renderer puts each hyphenated place name in
a span that is never broken (``.lieu``), and leaves attributes and the page title alone."""

from __future__ import annotations

import re

import pytest
from weasyprint.formatting_structure import boxes

from panorama.compose.document import Column, Document, Findings, Section, Table, Text
from panorama.output import render

PLACES = ("Seine-Saint-Denis", "Hauts-de-Seine", "Val-de-Marne", "Île-de-France", "Côtes-d'Armor",
          "Provence-Alpes-Côte", "L'Haÿ-les-Roses")


def _sentences() -> list[str]:
    """Sentences where each place name falls at every position of the end of a line, so that
    without protection some line would end at one of its hyphens."""
    filler = "Les heures réalisées sur les opérations exécutées dans le département sont comptées ici " * 3
    return [f"{filler[:length].rstrip()} en {place} et ailleurs, pour toute la durée des opérations."
            for length in range(60, 140, 2) for place in PLACES[:3]]


def _document(paragraphs: list[str]) -> Document:
    return Document(title="Essai en Seine-Saint-Denis", subtitle="Hauts-de-Seine", year=2019,
                    region="Île-de-France", observatory="Observatoire", publisher="Éditeur", example=False,
                    sections=[Section("essai", "Val-de-Marne", [
                        *(Text(key=f"t{i}", text=text) for i, text in enumerate(paragraphs)),
                        Findings(key="essentiel", items=paragraphs[:5]),
                        Table(caption="Heures en Seine-Saint-Denis", columns=[Column("Lieu"), Column("Heures", "nombre")],
                              rows=[[place, 1.0] for place in PLACES], note="Les Côtes-d'Armor sont hors région.")])],
                    source_line="Source : observatoire, données de L'Haÿ-les-Roses.")


def _lines(layout) -> list[str]:
    """The text of every line the PDF was laid out in."""
    def text(box) -> str:
        if isinstance(box, boxes.TextBox):
            return box.text
        return "".join(text(child) for child in getattr(box, "children", ()))

    def lines(box):
        if isinstance(box, boxes.LineBox):
            yield text(box)
        else:
            for child in getattr(box, "children", ()):
                yield from lines(child)

    return [line for page in layout.pages for line in lines(page._page_box)]


def _broken(lines: list[str]) -> list[str]:
    """Lines that end inside a place name (at one of its hyphens)."""
    broken = []
    for line in lines:
        end = re.search(r"([\w'’-]+-)$", line.rstrip())
        if end and any(place.startswith(end.group(1).split("'")[-1]) for place in PLACES):
            broken.append(line)
    return broken


def test_the_place_names_of_running_text_are_kept_on_one_line(tmp_path):
    html = render.render_html(_document(_sentences()), pdf=True)
    lines = _lines(render.write_pdf(html, tmp_path / "essai.pdf"))
    assert sum("Seine-Saint-Denis" in line for line in lines) >= 40  # the text was laid out
    assert _broken(lines) == []


def test_without_the_spans_the_same_text_breaks_at_a_hyphen(tmp_path, monkeypatch):
    """The check above can fail: the same paragraphs, their place names left unprotected,
    end lines at a hyphen."""
    monkeypatch.setattr(render, "_PLACE", re.compile(r"(?!x)x"))  # matches nothing
    html = render.render_html(_document(_sentences()), pdf=True)
    assert _broken(_lines(render.write_pdf(html, tmp_path / "essai.pdf")))


@pytest.mark.parametrize("pdf", [True, False])
def test_every_text_of_the_page_protects_its_place_names_and_no_attribute_does(pdf):
    text = "Les heures réalisées en Seine-Saint-Denis et dans l'Île-de-France : « Val-de-Marne »."
    html = render.render_html(_document([text]), pdf=pdf)
    assert '<span class="lieu">Côtes-d&#39;Armor</span>' in html  # escaped, and protected whole
    html = html.replace("&#39;", "'")
    for place in PLACES:
        assert f'<span class="lieu">{place}</span>' in html, place
    # dans l'Île-de-France: the article stays outside; the title bar and attributes stay plain text
    assert "dans l'<span class=\"lieu\">Île-de-France</span>" in html
    assert "<title>Essai en Seine-Saint-Denis — édition 2019</title>" in html
    assert not re.search(r'="[^"]*<span', html)
    # French typography still applied around the spans
    assert '\u00a0: «\u00a0<span class="lieu">Val-de-Marne</span>\u00a0».' in html
