"""The figure cache and the drawing after composition (``panorama.draw.figures``), the work shared
between processes (``panorama.core.parallel``) and the Fisher-Jenks classes the maps use.

A figure read back from the cache, or drawn in another process, is the very figure drawn
here: the documents are byte-identical with and without the cache, and an unchanged
rebuild draws nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import pickle
import shutil
from pathlib import Path

import pytest
from datasets import OPEN_CONFIG_TOML, run_cli, write_dataset
from independent import tiny_previous_tables, tiny_tables

from panorama import pipeline
from panorama.compose import figspec
from panorama.compose.document import Document, Figure, Section
from panorama.core.config import Config, load_config
from panorama.core.errors import DataError, PanoramaError, Problem
from panorama.core.parallel import Background, Worker, share
from panorama.core.publications import PANORAMA, SHEETS
from panorama.draw import charts, figures, maps
from panorama.input.source import Folder

BARS = (["Travaux", "Services", "Fournitures"], [1200.0, 300.5, 45.0])


def bars(values=BARS[1], colour="#1f4e79") -> figspec.ChartSpec:
    return figspec.bars(BARS[0], values, subject="Heures par nature", unit="heures", colour=colour)


def columns() -> figspec.ChartSpec:
    return figspec.columns(["2017", "2018", "2019"], {"Femmes": [3, 5, 8], "Hommes": [9, 7, None]},
                           subject="Participants par année", colour="#1f4e79")


def both(*specs: figspec.Spec) -> list[figspec.Spec]:
    """Each of ``specs`` and its small screens' variant, as a build draws them."""
    return [variant for spec in specs for variant in (spec, figspec.narrow(spec))]


def document(*specs: figspec.Spec) -> Document:
    """A document showing ``specs``, one figure each."""
    blocks = [Figure(id=f"figure-{n}", title="Titre", spec=spec, source="Source") for n, spec in enumerate(specs)]
    return Document(title="T", subtitle="", year=2019, region="R", observatory="O", publisher="P",
                    sections=[Section("s", "S", blocks)], example=True)


def drawn(store: figures.Figures, *documents: Document) -> list[figspec.Spec]:
    """Have ``store`` draw the figures of ``documents``; return the specifications it drew."""
    asked: list[figspec.Spec] = []

    def draw_all(specs):
        asked.extend(specs)
        return figures.draw_all(specs)

    store.draw(list(documents), draw_all)
    return asked


# -- the cache, figure by figure ----------------------------------------------------------------

def test_a_figure_comes_back_from_the_cache_as_drawn(tmp_path):
    composed = document(bars(), columns())
    assert drawn(figures.Figures(tmp_path), composed) == both(bars(), columns())
    images = [figure.image for figure in composed.figures]
    assert images == [charts.horizontal_bar_chart(BARS[0], BARS[1], subject="Heures par nature",
                                                  value_kind="heures", colour="#1f4e79"),
                      charts.column_chart(["2017", "2018", "2019"], {"Femmes": [3, 5, 8], "Hommes": [9, 7, None]},
                                          subject="Participants par année")]  # the bytes drawn directly
    assert composed.figures[0].narrow_image == charts.draw(figspec.narrow(bars()))
    assert composed.figures[0].narrow_image.width_cm == figspec.NARROW_WIDTH_CM
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{figures.key(s)}.json"
                                                                for s in both(bars(), columns()))
    again = document(bars(), columns())
    assert drawn(figures.Figures(tmp_path), again) == []  # a new build: from the disk
    assert [figure.image for figure in again.figures] == images
    assert [figure.narrow_image for figure in again.figures] == [f.narrow_image for f in composed.figures]


def test_a_figure_shown_twice_is_drawn_once(tmp_path):
    first, second = document(bars(), columns()), document(columns())
    assert drawn(figures.Figures(tmp_path), first, second) == both(bars(), columns())
    assert second.figures[0].image is first.figures[1].image


def test_only_the_figures_whose_data_changed_are_drawn_again(tmp_path):
    drawn(figures.Figures(tmp_path), document(bars(), columns()))
    changed = bars([1200.0, 301.0, 45.0])
    assert drawn(figures.Figures(tmp_path), document(changed, columns())) == both(changed)
    assert drawn(figures.Figures(tmp_path), document(bars(colour="#7a1f1f"))) == both(bars(colour="#7a1f1f"))


def test_equal_data_written_differently_have_one_key():
    import numpy as np
    import pandas as pd

    other = figspec.bars(tuple(BARS[0]), pd.Series(BARS[1]).to_numpy(), subject="Heures par nature", unit="heures",
                         colour="#1f4e79", width_cm=int(figspec.FULL_WIDTH_CM * 2) / 2)
    assert other == bars() and figures.key(other) == figures.key(bars())
    assert figspec.bars(["A"], [np.int64(3)], subject="s", colour="#000000") == \
        figspec.bars(["A"], [3.0], subject="s", colour="#000000")
    assert figspec.bars(["A", "B"], [pd.NA, None], subject="s", colour="#000000").series[0][1][1] is None


def test_keys_tell_apart_none_nan_and_numbers():
    texts = {figures._canonical(value) for value in (None, float("nan"), 0, 0.0, -0.0, "0", (0,), (0.0,), True)}
    assert len(texts) == 9
    with pytest.raises(TypeError):
        figures._canonical([0])
    keys = {figures.key(figspec.bars(["A", "B"], [1.0, value], subject="s", colour="#000000"))
            for value in (None, float("nan"), 0.0, -0.0)}
    assert len(keys) == 4


def test_a_chart_with_nothing_to_draw_is_refused_before_drawing():
    nothing = figspec.bars(["A", "B"], [None, None], subject="Rien", colour="#000000")
    with pytest.raises(ValueError) as direct:
        charts.draw(nothing)
    assert nothing.refusal == str(direct.value) == figspec.NOTHING_TO_DRAW
    negative = figspec.columns(["A", "B"], [3.0, -1.0], subject="s", colour="#000000")
    assert negative.refusal == figspec.NEGATIVE_VALUES
    assert figspec.lines(["2018", "2019"], [3.0, -1.0], subject="s", colour="#000000").refusal is None
    no_full_row = figspec.stacked(["A", "B"], {"F": [1.0, None], "H": [None, 2.0]}, subject="s", colour="#000000")
    assert no_full_row.refusal == figspec.NOTHING_TO_DRAW
    with pytest.raises(ValueError, match="Aucune valeur"):
        charts.draw(no_full_row)
    assert bars().refusal is None


def test_a_figure_not_drawn_cannot_be_rendered():
    with pytest.raises(RuntimeError, match="non dessinée"):
        document(bars()).figures[0].png


def _damage(path: Path, how: str) -> None:
    content = path.read_bytes()
    if how == "cut short":
        path.write_bytes(content[: len(content) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "one byte changed":
        middle = len(content) // 2
        path.write_bytes(content[:middle] + bytes([content[middle] ^ 1]) + content[middle + 1:])
    elif how == "not JSON":
        path.write_bytes(b"0" * 64 + b"\n{not json")
    elif how == "a folder":
        path.unlink()
        path.mkdir()


@pytest.mark.parametrize("how", ["cut short", "empty", "one byte changed", "not JSON", "a folder"])
def test_a_damaged_entry_is_drawn_again(tmp_path, how):
    composed = document(bars())
    drawn(figures.Figures(tmp_path), composed)
    _damage(tmp_path / f"{figures.key(bars())}.json", how)
    again = document(bars())
    assert drawn(figures.Figures(tmp_path), again) == [bars()]
    assert again.figures[0].image == composed.figures[0].image
    if how != "a folder":  # rewritten whole
        assert drawn(figures.Figures(tmp_path), document(bars())) == []


def test_an_unwritable_cache_only_costs_drawing(tmp_path):
    blocked = tmp_path / "fichier"
    blocked.write_text("pas un dossier")
    composed = document(bars())
    assert drawn(figures.Figures(blocked / "figures"), composed) == both(bars())
    assert composed.figures[0].png.startswith(b"\x89PNG")


def test_the_cache_drops_the_entries_used_the_longest_ago(tmp_path):
    for age, name in enumerate(["ancien", "moyen", "récent"]):
        (tmp_path / f"{name}.json").write_bytes(b"x" * 100)
        os.utime(tmp_path / f"{name}.json", (1_000_000 + age, 1_000_000 + age))
    figures._Cache(tmp_path).prune(limit=300)
    assert len(list(tmp_path.iterdir())) == 3  # within the limit: nothing removed
    figures._Cache(tmp_path).prune(limit=250)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["récent.json"]  # down to 3/4 of the limit


# -- whole builds ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def data(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("donnees")
    write_dataset(root, 2019, tiny_tables())
    write_dataset(root, 2018, tiny_previous_tables())
    config = tmp_path_factory.mktemp("config") / "panorama.toml"
    config.write_text(OPEN_CONFIG_TOML, encoding="utf-8")
    return root, config


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _unexpected(*args, **kwargs):
    raise AssertionError("lecture ou calcul inattendu")


def test_a_rebuild_draws_nothing_and_writes_the_same_bytes(tmp_path, data, monkeypatch):
    root, config = data
    source, config = Folder(root), pipeline.configuration(config)
    cache = tmp_path / "cache"
    plain = pipeline.run(PANORAMA, 2019, source, tmp_path / "sans", config, cache=False)
    cold = pipeline.run(PANORAMA, 2019, source, tmp_path / "froid", config, cache=cache)
    entries = sorted(p.name for p in (cache / "figures").iterdir())
    assert len(entries) >= 10  # one per chart or map of the panorama
    # from now on, drawing, reading or computing anything fails the build
    monkeypatch.setattr(figures, "draw", lambda spec: pytest.fail("dessin inattendu"))
    monkeypatch.setattr(pipeline, "_history", _unexpected)  # (in the process that computes: raised here)
    monkeypatch.setattr(pipeline, "compute_edition", _unexpected)
    warm = pipeline.run(PANORAMA, 2019, source, tmp_path / "chaud", config, cache=cache)
    assert sorted(p.name for p in (cache / "figures").iterdir()) == entries
    assert _files(plain.folder) == _files(cold.folder) == _files(warm.folder)
    assert {"panorama-2019.pdf", "panorama-2019.html", "donnees/chiffres_cles.csv"} <= set(_files(warm.folder))


def _keys(results, config: Config) -> list[str]:
    """The keys of the figures of the panorama composed from ``results`` under ``config``."""
    from panorama.compose import panorama_report
    from panorama.compose.commentary import Texts

    document = panorama_report.build_document(dataclasses.replace(results, config=config), Texts(None))
    return [figures.key(figure.spec) for figure in document.figures]


def test_only_the_options_that_change_the_pixels_change_the_keys(data):
    root, config_path = data
    config = load_config(config_path)
    results = pipeline.load_results(PANORAMA, 2019, Folder(root), config)
    keys = _keys(results, config)
    assert len(keys) >= 10
    unchanged = dataclasses.replace(config, date_publication=datetime.date(2020, 6, 15),
                                    observatoire_nom="Observatoire des achats responsables", pdf_archive=True)
    assert _keys(results, unchanged) == keys
    recoloured = _keys(results, dataclasses.replace(config, couleur_principale="#7a1f1f"))
    assert not set(recoloured) & set(keys)  # every chart and map shows the main colour
    inset = _keys(results, dataclasses.replace(config, encart=("75",)))
    maps_only = [k for k, other in zip(keys, inset) if k != other]
    assert len(inset) == len(keys) and len(maps_only) == 3  # the three maps of départements


def test_a_rebuild_with_another_date_or_observatory_draws_nothing(tmp_path, data, monkeypatch):
    root, config = data
    cache = tmp_path / "cache"
    first = pipeline.run(PANORAMA, 2019, Folder(root), tmp_path / "avant", pipeline.configuration(config), cache=cache)
    entries = sorted(p.name for p in (cache / "figures").iterdir())
    other = tmp_path / "autre.toml"
    other.write_text(OPEN_CONFIG_TOML + '[observatoire]\nnom = "Observatoire des achats responsables"\n'
                     'date_publication = 2020-06-15\n', encoding="utf-8")
    monkeypatch.setattr(figures, "draw", lambda spec: pytest.fail("dessin inattendu"))
    second = pipeline.run(PANORAMA, 2019, Folder(root), tmp_path / "apres", pipeline.configuration(other), cache=cache)
    assert sorted(p.name for p in (cache / "figures").iterdir()) == entries
    html = (second.folder / "panorama-2019.html").read_text(encoding="utf-8")
    assert "Observatoire des achats responsables" in html and "2020-06-15" in html
    assert html != (first.folder / "panorama-2019.html").read_text(encoding="utf-8")


def test_a_rebuild_with_another_colour_draws_every_figure_again(tmp_path, data):
    root, config = data
    cache = tmp_path / "cache"
    pipeline.run(PANORAMA, 2019, Folder(root), tmp_path / "avant", pipeline.configuration(config), cache=cache)
    entries = {p.name for p in (cache / "figures").iterdir()}
    other = tmp_path / "autre.toml"
    other.write_text(OPEN_CONFIG_TOML + '[rapport]\ncouleur_principale = "#7a1f1f"\n', encoding="utf-8")
    pipeline.run(PANORAMA, 2019, Folder(root), tmp_path / "apres", pipeline.configuration(other), cache=cache)
    assert len({p.name for p in (cache / "figures").iterdir()} - entries) == len(entries)


def test_sheets_share_the_cache_and_the_bytes(tmp_path, data):
    root, config = data
    source, config, codes = Folder(root), pipeline.configuration(config), ["93", "75"]
    cache = tmp_path / "cache"
    plain = pipeline.run(SHEETS, 2019, source, tmp_path / "sans", config, subjects=codes, cache=False)
    cold = pipeline.run(SHEETS, 2019, source, tmp_path / "froid", config, subjects=codes, cache=cache)
    warm = pipeline.run(SHEETS, 2019, source, tmp_path / "chaud", config, subjects=codes, cache=cache)
    assert plain.files == cold.files == warm.files == [
        "departements/fiche-93-2019.pdf", "departements/fiche-93-2019.html",
        "departements/fiche-75-2019.pdf", "departements/fiche-75-2019.html"]
    assert _files(plain.folder) == _files(cold.folder) == _files(warm.folder)
    assert any((cache / "figures").iterdir())
    assert len(list((cache / "resultats").iterdir())) == 1  # the sheets' results are the panorama's


def _results_kept(cache: Path) -> list[Path]:
    return sorted((cache / "resultats").glob("*.pickle"))


def test_the_results_are_computed_again_when_a_data_file_changes_not_a_text(tmp_path, data):
    root, config = data
    copy = tmp_path / "donnees"
    shutil.copytree(root, copy)
    config, cache = pipeline.configuration(config), tmp_path / "cache"
    before = pipeline.load_results(PANORAMA, 2019, Folder(copy), config, cache=cache / "resultats")
    kept = _results_kept(cache)
    assert len(kept) == 1
    (copy / "2019" / "textes").mkdir(exist_ok=True)
    (copy / "2019" / "textes" / "edito.md").write_text("Un texte de l'observatoire.\n", encoding="utf-8")
    again = pipeline.load_results(PANORAMA, 2019, Folder(copy), config, cache=cache / "resultats")
    assert _results_kept(cache) == kept  # a text is not data: the same entry, and it is used
    lines = []
    pipeline.load_results(PANORAMA, 2019, Folder(copy), config, cache=cache / "resultats", progress=lines.append)
    assert lines == [f"Données 2019 inchangées ({copy}) : résultats repris du cache"]
    assert again.key_figures.equals(before.key_figures)
    contrats = copy / "2019" / "contrats.csv"
    lines = contrats.read_text(encoding="utf-8").splitlines(keepends=True)
    contrats.write_text("".join(lines[:-1]), encoding="utf-8")  # one contract less
    after = pipeline.load_results(PANORAMA, 2019, Folder(copy), config, cache=cache / "resultats")
    assert len(_results_kept(cache)) == 2
    assert after.figure("contrats") == before.figure("contrats") - 1


def test_a_damaged_results_entry_is_computed_again(tmp_path, data):
    root, config = data
    config, folder = pipeline.configuration(config), tmp_path / "resultats"
    first = pipeline.load_results(PANORAMA, 2019, Folder(root), config, cache=folder)
    entry, = folder.glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:-100])  # cut short: its checksum no longer matches
    second = pipeline.load_results(PANORAMA, 2019, Folder(root), config, cache=folder)
    assert second.key_figures.equals(first.key_figures)
    assert len(entry.read_bytes()) > 100 and pickle.loads(entry.read_bytes().partition(b"\n")[2]).year == 2019


def test_the_command_line_uses_the_user_cache_unless_told_not_to(tmp_path, data, monkeypatch, capsys):
    root, config = data
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    status, _, err = run_cli(monkeypatch, capsys, "build", "2019", "--data", str(root), "--config", str(config),
                             "--out", str(tmp_path / "sortie"), "--sans-cache")
    assert status == 0, err
    assert not (tmp_path / "xdg").exists()
    assert sorted(p.name for p in (tmp_path / "sortie").iterdir()) == ["2019"]  # nothing beside the edition
    status, _, err = run_cli(monkeypatch, capsys, "build", "2019", "--data", str(root), "--config", str(config),
                             "--out", str(tmp_path / "sortie"))
    assert status == 0, err
    assert any((tmp_path / "xdg" / "panorama" / "figures").glob("*.json"))
    assert len(list((tmp_path / "xdg" / "panorama" / "resultats").glob("*.pickle"))) == 1
    assert sorted(p.name for p in (tmp_path / "sortie").iterdir()) == ["2019"]


# -- work shared between processes ------------------------------------------------------------------

def _square(n: int) -> int:
    return n * n


def _fails(text: str) -> int:
    return int(text)


def _raise_data_error() -> None:
    raise DataError([Problem(file="contrats.csv", message="heures négatives", line=3, column="heures", value="-2")])


def _raise_local() -> None:
    class Local(Exception):
        pass

    raise Local("classe introuvable ailleurs")


def test_share_keeps_the_order_of_the_items():
    assert share(_square, list(range(25))) == [n * n for n in range(25)]
    assert share(_square, [7]) == [49]
    assert share(_square, []) == []


def test_an_error_in_another_process_is_raised_here():
    with pytest.raises(ValueError, match="invalid literal"):
        share(_fails, ["1", "2", "x", "4"])
    with pytest.raises(DataError) as raised:  # its constructor does not take its message: rebuilt
        Background(_raise_data_error).result()
    assert str(raised.value) == ("1 erreur dans les données :\n- contrats.csv, ligne 3, colonne « heures » : "
                                 "heures négatives (valeur : « -2 »)")
    with pytest.raises(PanoramaError, match=r"Échec d'une tâche en parallèle \(Local : classe introuvable ailleurs\)"):
        Background(_raise_local).result()


def test_without_fork_everything_runs_here(monkeypatch):
    import panorama.core.parallel

    monkeypatch.setattr(panorama.core.parallel, "_can_fork", lambda: False)
    assert share(_square, [1, 2, 3]) == [1, 4, 9]
    assert Background(_square, 4).result() == 16
    with Worker(lambda: None) as worker:
        worker.start(_square, 5)
        assert worker.result() == 25
    with pytest.raises(ValueError):
        Background(_fails, "x").result()


def test_a_worker_runs_the_job_it_is_given_after_getting_ready():
    with Worker(lambda: None) as worker:
        worker.start(share, _square, [1, 2, 3])
        assert worker.result() == [1, 4, 9]
    with Worker(lambda: 1 / 0) as worker:  # getting ready may fail: only the job counts
        worker.start(_square, 5)
        assert worker.result() == 25
    with Worker(lambda: None) as worker:  # never given a job: ends with the block
        pass
    with pytest.raises(ValueError), Worker(lambda: None) as worker:
        worker.start(_fails, "x")
        worker.result()


def test_a_worker_gets_the_drawing_libraries_and_boundaries_ready():
    figures.prepare(Config(departements=("93", "94")), communes=True)  # what the worker runs while the data are read
    assert maps._layer(("93", "94"), ("93", "94")).names == {"93": "Seine-Saint-Denis", "94": "Val-de-Marne"}
    assert maps._commune_layer.cache_info().currsize >= 2
