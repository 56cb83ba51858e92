"""Structure and print quality of every PDF the tool writes (the panorama, a département
sheet and a thematic study, listed in ``a11y/documents.py``), read back with pikepdf:

- tagged (``StructTreeRoot``, ``MarkInfo``), ``/Lang`` fr, title shown in the title bar,
  title, author, subject and a fixed date in the metadata;
- an ``/Alt`` on every figure, stating its figures; headings and tables tagged;
- bookmarks from the headings; every font embedded (and only Lato: no machine-dependent
  fallback font);
- the PDF/A-3u variant (``--pdf-archive`` / ``[rapport] pdf_archive = true``);
- print quality, on the layout WeasyPrint wrote the PDF from: no chart, card, table row,
  or table that fits on a page cut across a page break; no heading or caption left at
  the foot of a page; paragraphs keep two lines on each side of a break; images printed
  at 150 dpi or more.
"""

from __future__ import annotations

import re

import pikepdf
import pytest
import tinyhtml5
from a11y.documents import (
    BUILDERS,
    SHEET,
    YEAR,
    built_documents,
    image_resolutions,
    page_break_problems,
)

from panorama.compose.document import Document
from panorama.output import render

NAMES = list(BUILDERS)
EXAMPLE_DATE = "D:20200101000000Z"  # example data of 2019, no publication date configured


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    return built_documents(tmp_path_factory)


@pytest.fixture(scope="module")
def pdfs(documents):
    opened = {name: pikepdf.open(built.pdf) for name, built in documents.items()}
    yield opened
    for pdf in opened.values():
        pdf.close()


@pytest.fixture(scope="module")
def sources(documents):
    """The HTML each PDF was rendered from, parsed."""
    return {name: tinyhtml5.parse(built.pdf_html, namespace_html_elements=False)
            for name, built in documents.items()}


def _text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _structure(pdf) -> list[pikepdf.Dictionary]:
    """Every structure element of the tag tree, depth first."""
    found = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") == "/StructElem":
            found.append(node)
            walk(node.get("/K", pikepdf.Array()))

    walk(pdf.Root.StructTreeRoot.K)
    return found


def _outline_titles(pdf) -> list[tuple[int, str]]:
    with pdf.open_outline() as outline:
        titles = []

        def walk(items, depth):
            for item in items:
                assert item.destination is not None or item.action is not None, item.title
                titles.append((depth, re.sub(r"\s+", " ", item.title).strip()))
                walk(item.children, depth + 1)

        walk(outline.root, 0)
    return titles


def _fonts(pdf):
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
            yield obj


# -- tags and metadata -----------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_tagged_in_french_with_its_title_shown(pdfs, name):
    root = pdfs[name].Root
    assert "/StructTreeRoot" in root
    assert bool(root.MarkInfo.Marked) is True
    assert str(root.Lang) == "fr"
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True


@pytest.mark.parametrize("name", NAMES)
def test_metadata_title_author_subject_and_a_fixed_date(pdfs, sources, name):
    info = pdfs[name].docinfo
    head = sources[name].find("head")
    assert str(info.Title) == _text(head.find("title"))
    author = next(m.get("content") for m in head.iter("meta") if m.get("name") == "author")
    assert str(info.Author) == author and author
    assert str(info.Subject)
    assert str(info.Keywords)
    assert str(info.CreationDate) == str(info.ModDate) == EXAMPLE_DATE
    assert "/Encrypt" not in pdfs[name].trailer
    assert len(pdfs[name].trailer.ID) == 2


@pytest.mark.parametrize("name", NAMES)
def test_every_figure_has_an_alt_text_stating_its_figures(pdfs, sources, name):
    figures = [e for e in _structure(pdfs[name]) if e.S == "/Figure"]
    alts = [str(e.get("/Alt", "")) for e in figures]
    images = [img.get("alt") for img in sources[name].iter("img")]
    assert figures and len(figures) == len(images)
    assert sorted(alts) == sorted(images)
    for alt in alts:
        assert alt.strip() and (alt.startswith("Logo") or re.search(r"\d", alt)), alt


@pytest.mark.parametrize("name", NAMES)
def test_headings_and_tables_are_tagged(pdfs, sources, name):
    elements = _structure(pdfs[name])
    tags = [str(e.S) for e in elements]
    source = sources[name]
    assert tags.count("/H1") == 1
    assert tags.count("/H2") == len(list(source.iter("h2")))
    assert tags.count("/H3") >= len(list(source.iter("h3")))
    assert tags.count("/Table") >= len(list(source.iter("table")))
    assert "/Caption" in tags and "/TH" in tags and "/TD" in tags
    cells = [e for e in elements if e.S == "/TD"]
    assert all(len(cell.A.Headers) >= 1 for cell in cells)  # each cell tied to its headers


@pytest.mark.parametrize("name", NAMES)
def test_bookmarks_follow_the_headings(pdfs, sources, name):
    titles = _outline_titles(pdfs[name])
    source = sources[name]
    assert titles[0] == (0, _text(source.find(".//h1")))
    level_two = [title for depth, title in titles if depth == 1]
    assert level_two == [_text(h) for h in source.iter("h2")]
    assert {title for depth, title in titles if depth == 2} == {_text(h) for h in source.iter("h3")}


@pytest.mark.parametrize("name", NAMES)
def test_every_font_is_embedded_and_is_lato(pdfs, name):
    fonts = list(_fonts(pdfs[name]))
    assert fonts
    for font in fonts:
        assert font.Subtype != "/Type3", font.get("/BaseFont")
        if font.Subtype == "/Type0":
            assert len(font.DescendantFonts) == 1
            continue  # checked through its descendant font, listed too
        descriptor = font.FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont
        assert re.fullmatch(r"/[A-Z]{6}\+Lato(-\w+)?", str(font.BaseFont)), font.BaseFont


# -- PDF/A ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def archive(documents, tmp_path_factory):
    """The sheet written as PDF/A-3u, twice, from the HTML its build rendered."""
    html = documents[f"fiche-{SHEET}"].pdf_html
    out = tmp_path_factory.mktemp("archive")
    first, second = out / "premier.pdf", out / "second.pdf"
    render.write_pdf(html, first, archive=True)
    render.write_pdf(html, second, archive=True)
    return first, second


def test_archive_is_pdf_a_3u_and_still_tagged(archive):
    first, _ = archive
    with pikepdf.open(first) as pdf:
        assert pdf.pdf_version == "1.7"
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "U"
        assert meta["dc:title"] == str(pdf.docinfo.Title)
        assert meta["dc:creator"] == [str(pdf.docinfo.Author)]
        assert meta["pdf:Producer"] == str(pdf.docinfo.Producer)
        assert meta["xmp:CreateDate"] == "2020-01-01T00:00:00Z" and str(pdf.docinfo.CreationDate) == EXAMPLE_DATE
        intent, = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3
        assert len(pdf.trailer.ID) == 2 and "/Encrypt" not in pdf.trailer
        assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.Lang) == "fr"
        for font in _fonts(pdf):
            if font.Subtype != "/Type0":
                assert "/FontFile2" in font.FontDescriptor
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                assert int(annotation.F) & 4  # printable, as PDF/A requires


def test_archive_is_reproducible(archive):
    first, second = archive
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("how", ["--pdf-archive", "[rapport] pdf_archive = true", None])
def test_the_option_and_the_configuration_key_ask_for_pdf_a(documents, tmp_path, monkeypatch, how):
    """``panorama build … --pdf-archive`` and the configuration key reach the PDF writer
    (data, document and rendering stubbed: what is checked is the way down)."""
    from panorama import cli, pipeline
    from panorama.compose import sheet_report

    asked = []
    sheet = documents[f"fiche-{SHEET}"]
    monkeypatch.setattr(pipeline, "load_results", lambda *args, **kwargs: sheet.results)
    monkeypatch.setattr(sheet_report, "build_sheet", lambda *args, **kwargs: Document(
        title="", subtitle="", year=YEAR, region="", observatory="", publisher="", sections=[], example=True))
    monkeypatch.setattr(render, "render_html", lambda document, pdf: "<html lang=\"fr\"></html>")
    monkeypatch.setattr(render, "write_pdf", lambda html, path, archive=False: asked.append(archive))
    arguments = ["build", str(YEAR), "--departement", SHEET, "--out", str(tmp_path / "sortie")]
    if how == "--pdf-archive":
        arguments.append(how)
    elif how:
        (tmp_path / "panorama.toml").write_text("[rapport]\npdf_archive = true\n", encoding="utf-8")
        arguments += ["--config", str(tmp_path / "panorama.toml")]
    monkeypatch.setattr("sys.argv", ["panorama", *arguments])
    assert cli.main() == 0
    assert asked == [how is not None]


# -- print quality ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_no_chart_or_table_cut_across_a_page_break(documents, name):
    problems = page_break_problems(documents[name].layout)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_images_are_printed_at_150_dpi_or_more(documents, name):
    resolutions = image_resolutions(documents[name].layout)
    assert resolutions
    low = [f"{alt[:60]} : {dpi:.0f} dpi" for alt, dpi in resolutions if round(dpi) < 150]
    assert not low, "\n".join(low)


BAD_LAYOUT = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>t</title>
<style>@page { size: A4; margin: 20mm } body { font: 10pt sans-serif }
.haut { height: 240mm } table, h2 { break-inside: auto; break-after: auto }</style></head><body>
<div class="haut"></div><h2>Titre seul en bas de page</h2><div class="haut"></div>
<table><caption>Tableau coupé</caption><thead><tr><th scope="col">a</th></tr></thead><tbody>
{rows}</tbody></table>
<figure style="break-inside: auto"><h3>Graphique</h3><div style="height: 300mm"></div></figure>
</body></html>"""


def test_the_page_break_check_sees_faults(tmp_path):
    """The checker is not blind: a heading left alone at a page foot, a table that would
    fit on a page cut in two and a chart cut across pages are reported."""
    html = BAD_LAYOUT.replace("{rows}", "".join(f"<tr><td>{i}</td></tr>" for i in range(30)))
    layout = render.write_pdf(html, tmp_path / "mauvais.pdf")
    problems = "\n".join(page_break_problems(layout))
    assert "Titre seul en bas de page" in problems and "séparé de ce qui suit" in problems
    assert "Tableau coupé" in problems and "tient sur une page" in problems
    assert "<figure> « Graphique" in problems
