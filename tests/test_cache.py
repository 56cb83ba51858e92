"""The figure cache and the drawing ahead (``panorama.figures``), the work shared between
processes (``panorama.parallel``) and the Fisher-Jenks classes the maps use.

A figure read back from the cache, or drawn in another process, is the very figure drawn
here: the documents are byte-identical with and without the cache, and an unchanged
rebuild draws nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from datasets import OPEN_CONFIG_TOML, run_cli, write_dataset
from independent import tiny_previous_tables, tiny_tables

from panorama import charts, figures, maps, pipeline
from panorama.config import Config
from panorama.errors import DataError, PanoramaError, Problem
from panorama.parallel import Background, Worker, share
from panorama.publications import PANORAMA, SHEETS
from panorama.source import Folder

BARS = (["Travaux", "Services", "Fournitures"], [1200.0, 300.5, 45.0])


def bars(values=BARS[1], colour="#1f4e79"):
    return charts.horizontal_bar_chart(BARS[0], values, subject="Heures par nature", value_kind="heures",
                                       colour=colour)


def columns():
    return charts.column_chart(["2017", "2018", "2019"], {"Femmes": [3, 5, 8], "Hommes": [9, 7, None]},
                               subject="Participants par année")


def planned_and_drawn(store: figures.Figures, builder):
    """What ``store`` had to draw for ``builder``, and ``builder()`` composed with it."""
    missing = store.plan(builder)
    store.keep(missing, figures.draw_all(missing))
    return missing, store.compose(builder)


# -- the cache, figure by figure ----------------------------------------------------------------

def test_a_figure_comes_back_from_the_cache_as_drawn(tmp_path):
    builder = lambda: [bars(), columns()]  # noqa: E731
    missing, composed = planned_and_drawn(figures.Figures(tmp_path), builder)
    assert [spec.name for spec in missing] == ["panorama.charts.horizontal_bar_chart", "panorama.charts.column_chart"]
    assert composed == [bars(), columns()]  # the same PNG bytes, alt text and size as drawn directly
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{spec.key}.json" for spec in missing)
    missing, again = planned_and_drawn(figures.Figures(tmp_path), builder)  # a new build: from the disk
    assert missing == []
    assert again == composed


def test_only_the_figures_whose_data_changed_are_drawn_again(tmp_path):
    planned_and_drawn(figures.Figures(tmp_path), lambda: [bars(), columns()])
    missing, composed = planned_and_drawn(figures.Figures(tmp_path), lambda: [bars([1200.0, 301.0, 45.0]), columns()])
    assert [(spec.name, spec.args[1]) for spec in missing] == [("panorama.charts.horizontal_bar_chart",
                                                               [1200.0, 301.0, 45.0])]
    assert composed[0] == bars([1200.0, 301.0, 45.0])
    missing, _ = planned_and_drawn(figures.Figures(tmp_path), lambda: [bars(colour="#7a1f1f")])
    assert len(missing) == 1  # the style is part of the key


def test_the_same_call_written_differently_has_one_key(tmp_path):
    store = figures.Figures(tmp_path)
    missing = store.plan(lambda: [bars(), charts.horizontal_bar_chart(
        labels=BARS[0], values=BARS[1], subject="Heures par nature", value_kind="heures", colour="#1f4e79",
        width_cm=charts.FULL_WIDTH_CM)])
    assert len(missing) == 1


def test_keys_tell_apart_none_nan_and_numbers():
    texts = {figures._canonical(value) for value in (None, float("nan"), 0, 0.0, -0.0, "0", [0], (0,), True)}
    assert len(texts) == 9
    with pytest.raises(TypeError):
        figures._canonical(object())


def test_a_refusal_is_kept_and_raised_again(tmp_path):
    nothing = lambda: charts.horizontal_bar_chart(["A", "B"], [None, None], subject="Rien")  # noqa: E731
    with pytest.raises(ValueError) as direct:
        nothing()
    store = figures.Figures(tmp_path)
    missing = store.plan(nothing)
    store.keep(missing, figures.draw_all(missing))
    assert store.plan(nothing) == []
    with pytest.raises(ValueError) as kept:
        store.compose(nothing)
    assert str(kept.value) == str(direct.value) == charts._NOTHING_TO_DRAW
    assert figures.Figures(tmp_path).plan(nothing) == []  # kept on disk too


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
    missing, composed = planned_and_drawn(figures.Figures(tmp_path), lambda: [bars()])
    entry = tmp_path / f"{missing[0].key}.json"
    _damage(entry, how)
    missing, again = planned_and_drawn(figures.Figures(tmp_path), lambda: [bars()])
    assert len(missing) == 1
    assert again == composed
    if how != "a folder":  # rewritten whole
        assert figures.Figures(tmp_path).plan(lambda: [bars()]) == []


def test_an_unwritable_cache_only_costs_drawing(tmp_path):
    blocked = tmp_path / "fichier"
    blocked.write_text("pas un dossier")
    missing, composed = planned_and_drawn(figures.Figures(blocked / "figures"), lambda: [bars()])
    assert len(missing) == 1 and composed == [bars()]


def test_the_cache_drops_the_entries_used_the_longest_ago(tmp_path):
    for age, name in enumerate(["ancien", "moyen", "récent"]):
        (tmp_path / f"{name}.json").write_bytes(b"x" * 100)
        os.utime(tmp_path / f"{name}.json", (1_000_000 + age, 1_000_000 + age))
    figures._Cache(tmp_path).prune(limit=300)
    assert len(list(tmp_path.iterdir())) == 3  # within the limit: nothing removed
    figures._Cache(tmp_path).prune(limit=250)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["récent.json"]  # down to 3/4 of the limit


def test_outside_a_build_the_drawing_functions_just_draw():
    chart = bars()
    assert chart.png.startswith(b"\x89PNG") and chart.alt.startswith("Heures par nature.")


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


def test_a_rebuild_draws_nothing_and_writes_the_same_bytes(tmp_path, data, monkeypatch):
    root, config = data
    source, config = Folder(root), pipeline.configuration(config)
    cache = tmp_path / "cache"
    plain = pipeline.run(PANORAMA, 2019, source, tmp_path / "sans", config, cache=False)
    cold = pipeline.run(PANORAMA, 2019, source, tmp_path / "froid", config, cache=cache)
    entries = sorted(p.name for p in cache.iterdir())
    assert len(entries) >= 10  # one per chart or map of the panorama
    for name in list(figures._DRAWERS):  # from now on, drawing anything fails the build
        monkeypatch.setitem(figures._DRAWERS, name, lambda *args, **kwargs: pytest.fail("dessin inattendu"))
    warm = pipeline.run(PANORAMA, 2019, source, tmp_path / "chaud", config, cache=cache)
    assert sorted(p.name for p in cache.iterdir()) == entries
    assert _files(plain.folder) == _files(cold.folder) == _files(warm.folder)
    assert {"panorama-2019.pdf", "panorama-2019.html", "donnees/chiffres_cles.csv"} <= set(_files(warm.folder))


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
    assert any(cache.iterdir())


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
    import panorama.parallel

    monkeypatch.setattr(panorama.parallel, "_can_fork", lambda: False)
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
