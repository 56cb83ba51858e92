"""Reproducible builds: the same data and configuration give byte-identical files — PDF,
HTML, CSV, JSON, Markdown and xlsx — from one run to the next and from one process to
another, whatever the clock, the time zone, the working folder, the output folder or
Python's hash seed. Every publication of ``a11y/documents.py`` is built here in this
process, then again by the command line in fresh processes, and the two trees compared.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from a11y.documents import built_documents, command_line_build


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """The publications built in this process: OUT/YEAR as a tree of files."""
    documents = built_documents(tmp_path_factory)
    return _tree(Path(os.path.commonpath([built.folder for built in documents.values()])))


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    """The same publications built again by ``panorama build``, each in a new process run
    from another folder, into another output folder, in another time zone, with another
    hash seed and a ``SOURCE_DATE_EPOCH`` of its own (the tool must set the dates itself)."""
    return _tree(command_line_build(tmp_path_factory))


def test_two_builds_give_identical_bytes(first, second):
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"fichiers différents d'une production à l'autre : {different}"
    kinds = {Path(name).suffix for name in first}
    assert {".pdf", ".html", ".csv", ".json", ".md", ".xlsx"} <= kinds


def test_no_date_comes_from_the_clock(first, tmp_path):
    """The only dates written are the data's and the configuration's (example: 1 January 2020)."""
    today = dt.date.today()
    clock = re.compile("|".join(re.escape(today.strftime(f)) for f in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d")))
    for name, content in first.items():
        if name.endswith(".pdf"):
            path = tmp_path / "document.pdf"
            path.write_bytes(content)
            with pikepdf.open(path) as pdf:
                texts = [str(value) for value in pdf.docinfo.values()]
                if "/Metadata" in pdf.Root:
                    texts.append(pdf.Root.Metadata.read_bytes().decode("utf-8"))
                assert str(pdf.docinfo.CreationDate) == "D:20200101000000Z", name
        elif name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(content)) as workbook:
                texts = [workbook.read(member).decode("utf-8") for member in workbook.namelist()
                         if member.endswith(".xml")]
                assert {info.date_time[:3] for info in workbook.infolist()} == {(2020, 1, 1)}, name
        else:
            texts = [content.decode("utf-8-sig")]
        for text in texts:
            assert not clock.search(text), f"{name} contient la date du jour"


def test_html_holds_nothing_random(first):
    for name, content in first.items():
        if name.endswith(".html"):
            html = content.decode("utf-8")
            ids = re.findall(r'\bid="([^"]+)"', html)
            assert len(ids) == len(set(ids)), name
            assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", html), name
            assert '<meta name="dcterms.created" content="2020-01-01T00:00:00Z">' in html


def test_the_date_is_the_configured_publication_date(tmp_path):
    """With ``[observatoire] date_publication``, that date (never the clock's) is the HTML's
    ``dcterms.created`` and the PDF's creation and modification dates."""
    from panorama.compose.document import Document
    from panorama.output import render

    document = Document(title="Essai", subtitle="Sous-titre", year=2019, region="Île-de-France",
                        observatory="Observatoire", publisher="Éditeur", sections=[], example=False,
                        publication_date=dt.date(2020, 6, 15))
    html = render.render_html(document, pdf=True)
    assert '<meta name="dcterms.created" content="2020-06-15T00:00:00Z">' in html
    render.write_pdf(html, tmp_path / "essai.pdf")
    with pikepdf.open(tmp_path / "essai.pdf") as pdf:
        assert str(pdf.docinfo.CreationDate) == str(pdf.docinfo.ModDate) == "D:20200615000000Z"
    assert "SOURCE_DATE_EPOCH" not in os.environ or os.environ["SOURCE_DATE_EPOCH"] != str(
        int(dt.datetime(2020, 6, 15, tzinfo=dt.timezone.utc).timestamp()))  # restored after writing
