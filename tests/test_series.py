"""The series of key figures over every year folder present."""

from __future__ import annotations

import math

from datasets import clean_tables, open_config, write_dataset

from panorama.compose import panorama_report
from panorama.compose.commentary import Texts
from panorama.core.publications import PANORAMA
from panorama.draw import figures
from panorama.input.source import Folder
from panorama.output import render
from panorama.pipeline import load_results


def _scaled(year: int, factor: float) -> dict:
    tables = clean_tables(year)
    for row in tables["contrats"]:
        row["heures"] = str(float(row["heures"]) * factor)
    return tables


def test_series_covers_every_year_and_leaves_a_gap_missing(tmp_path):
    write_dataset(tmp_path, 2016, _scaled(2016, 0.5))
    write_dataset(tmp_path, 2017, _scaled(2017, 1.0))
    write_dataset(tmp_path, 2019, _scaled(2019, 2.0))  # no 2018 folder
    results = load_results(PANORAMA, 2019, Folder(tmp_path), open_config())
    hours = dict(results.serie("heures"))
    assert list(hours) == [2016, 2017, 2018, 2019]
    total = 1200 + 350.5 + 420 + 1607 + 300 + sum(float(r["heures"]) for r in clean_tables(2019)["contrats"][5:])
    assert math.isclose(hours[2017], total)
    assert math.isclose(hours[2016], total / 2)
    assert math.isclose(hours[2019], total * 2)
    assert math.isnan(hours[2018])  # missing, never interpolated
    assert results.previous_year is None  # no N−1: no one-year evolution
    # département perimeters have their series too
    assert math.isclose(dict(results.serie("heures", "93"))[2017], 1200 + 350.5 + 420 + 1607)
    # the evolution table shows the gap and says why
    document = figures.Figures().draw(panorama_report.build_document(results, Texts(None)))
    section = next(s for s in document.sections if s.id == "evolution")
    table = next(b for b in section.blocks if b.block == "table")
    assert [c.label for c in table.columns][1:5] == ["2016", "2017", "2018", "2019"]
    assert "Pas de données pour 2018" in table.note
    html = render.render_html(document, pdf=False)
    assert "n.d." in html


def test_older_years_are_validated_too(tmp_path):
    write_dataset(tmp_path, 2019, clean_tables(2019))
    broken = clean_tables(2017)
    broken["contrats"][0]["heures"] = "-3"
    write_dataset(tmp_path, 2017, broken)
    try:
        load_results(PANORAMA, 2019, Folder(tmp_path))
    except Exception as exc:  # noqa: BLE001 - the message is what matters
        assert "(année 2017)" in str(exc) and "heures" in str(exc)
    else:
        raise AssertionError("an error in 2017 must stop the build")
