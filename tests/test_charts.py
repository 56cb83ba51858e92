"""Charts: PNG bytes, determinism, French alt texts, withheld values, errors."""

from __future__ import annotations

import math
import struct
from io import BytesIO

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.font_manager import FontProperties, fontManager
from PIL import Image

from panorama.compose import figspec
from panorama.core.config import Config
from panorama.draw import charts

NBSP = "\u00a0"
NNBSP = "\u202f"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAIN = "#1f4e79"

MODALITES = [
    "Clause d'insertion (condition d'exécution)",
    "Marché de services d'insertion et de qualification",
    "Marché réservé aux SIAE",
]
AGES = ["Moins de 26 ans", "26 à 49 ans", "50 ans et plus"]

# One call per chart type, with plausible data: name -> (function, args, kwargs).
EXAMPLES = {
    "horizontal_bar": (charts.horizontal_bar_chart, (MODALITES, [3_512_345, 620_000, 365_000]),
                       {"subject": "Heures d'insertion par modalité", "value_kind": "heures",
                        "shares": [0.781, 0.138, 0.081]}),
    "column": (charts.column_chart, (["2017", "2018", "2019"], [3_950_000, 4_210_000, 4_725_000]),
               {"subject": "Heures d'insertion par année", "value_kind": "heures"}),
    "grouped_column": (charts.column_chart, (["Travaux", "Services"], {"2018": [2_950_000, 1_020_000],
                                                                      "2019": [3_310_000, 1_180_000]}),
                       {"subject": "Heures d'insertion par nature", "value_kind": "heures"}),
    "stacked_share": (charts.stacked_share_chart, (["Travaux", "Ensemble"], {"Femmes": [612, 1_812],
                                                                             "Hommes": [7_840, 10_188]}),
                      {"subject": "Part des femmes et des hommes par nature"}),
    "pyramid": (charts.pyramid_chart, (AGES, [520, 1_010, 270], [3_150, 5_430, 1_620]),
                {"subject": "Participants par sexe et tranche d'âge"}),
    "line": (charts.line_chart, ([2017, 2018, 2019], [3_950_000, math.nan, 4_725_000]),
             {"subject": "Heures d'insertion par année", "value_kind": "heures"}),
    "histogram": (charts.histogram_chart, (["Moins de 35 h", "35 à 149 h", "150 h et plus"], [1_840, 3_120, 980]),
                  {"subject": "Participants par nombre d'heures réalisées"}),
}


def draw(name: str, **overrides) -> charts.Chart:
    function, args, kwargs = EXAMPLES[name]
    return function(*args, **{**kwargs, **overrides})


def png_size(png: bytes) -> tuple[int, int]:
    """Pixel width and height from the IHDR chunk."""
    return struct.unpack(">II", png[16:24])


def pixels_of(png: bytes, colour: str) -> int:
    """Number of pixels painted exactly in ``colour``."""
    image = np.asarray(Image.open(BytesIO(png)).convert("RGB")).astype(int)
    target = np.round(np.array(to_rgb(colour)) * 255).astype(int)
    return int(np.all(image == target, axis=-1).sum())


@pytest.mark.parametrize("name", EXAMPLES)
def test_returns_png_drawn_at_the_announced_size(name):
    chart = draw(name)
    assert chart.png.startswith(PNG_SIGNATURE)
    assert chart.width_cm == charts.FULL_WIDTH_CM
    width_px, height_px = png_size(chart.png)
    assert width_px == pytest.approx(chart.width_cm / 2.54 * charts.DPI, abs=1)
    assert height_px == pytest.approx(chart.height_cm / 2.54 * charts.DPI, abs=2)
    assert pixels_of(chart.png, MAIN) > 0


@pytest.mark.parametrize("name", EXAMPLES)
def test_bytes_are_deterministic(name):
    assert draw(name).png == draw(name).png


@pytest.mark.parametrize("name", EXAMPLES)
def test_half_width(name):
    chart = draw(name, width_cm=figspec.HALF_WIDTH_CM)
    assert chart.width_cm == figspec.HALF_WIDTH_CM
    assert png_size(chart.png)[0] == pytest.approx(figspec.HALF_WIDTH_CM / 2.54 * charts.DPI, abs=1)


def test_main_colour_comes_from_the_configuration():
    chart = draw("horizontal_bar", colour=Config(couleur_principale="#aa2200"))
    assert pixels_of(chart.png, "#aa2200") > 0
    assert pixels_of(chart.png, MAIN) == 0


def test_lato_is_registered():
    draw("column")
    assert fontManager.findfont(FontProperties(family="Lato")).endswith("Lato-Regular.ttf")


def test_horizontal_bar_alt_states_values_and_shares():
    alt = draw("horizontal_bar").alt
    assert alt.startswith("Heures d'insertion par modalité. ")
    assert f"Clause d'insertion (condition d'exécution){NBSP}: 3{NNBSP}512{NNBSP}345{NBSP}heures (78,1{NBSP}%)" in alt
    assert f"Marché réservé aux SIAE{NBSP}: 365{NNBSP}000{NBSP}heures (8,1{NBSP}%)" in alt
    assert alt.endswith(".")


def test_height_follows_the_number_of_bars():
    few = charts.horizontal_bar_chart(["A", "B"], [1, 2], subject="S")
    many = charts.horizontal_bar_chart(list("ABCDEFGHIJ"), range(1, 11), subject="S")
    assert many.height_cm > 3 * few.height_cm


def test_stacked_share_alt_gives_each_share():
    alt = draw("stacked_share").alt
    assert f"Ensemble — Femmes{NBSP}: 1{NNBSP}812 (15,1{NBSP}%), Hommes{NBSP}: 10{NNBSP}188 (84,9{NBSP}%)" in alt


def test_pyramid_alt_gives_both_sides_per_band():
    alt = draw("pyramid").alt
    assert f"26 à 49 ans — Femmes{NBSP}: 1{NNBSP}010, Hommes{NBSP}: 5{NNBSP}430" in alt


def test_grouped_column_alt_gives_each_series_per_category():
    alt = draw("grouped_column").alt
    assert (f"Travaux — 2018{NBSP}: 2{NNBSP}950{NNBSP}000{NBSP}heures, "
            f"2019{NBSP}: 3{NNBSP}310{NNBSP}000{NBSP}heures") in alt


def test_line_with_a_missing_year_leaves_a_gap():
    alt = draw("line").alt
    assert f"2018{NBSP}: n.d." in alt
    assert charts.SECRET_NOTE not in alt
    flat = {"subject": "S", "value_kind": "heures"}
    full = charts.line_chart([2017, 2018, 2019], [100, 100, 100], **flat)
    gap = charts.line_chart([2017, 2018, 2019], [100, math.nan, 100], **flat)
    assert pixels_of(gap.png, MAIN) < 0.5 * pixels_of(full.png, MAIN)


def test_line_with_several_series():
    chart = charts.line_chart([2018, 2019], {"Femmes": [0.148, 0.151], "Hommes": [0.852, 0.849]},
                              subject="Part des participants par sexe", value_kind="part")
    assert f"Femmes — 2018{NBSP}: 14,8{NBSP}%, 2019{NBSP}: 15,1{NBSP}%" in chart.alt


def test_withheld_value_is_not_drawn_and_noted():
    both = charts.horizontal_bar_chart(["A", "B"], [100, 100], subject="S")
    withheld = charts.horizontal_bar_chart(["A", "B"], [100, None], subject="S")
    assert pixels_of(withheld.png, MAIN) == pytest.approx(pixels_of(both.png, MAIN) / 2, rel=0.05)
    assert f"B{NBSP}: non publié" in withheld.alt
    assert withheld.alt.endswith(f"{charts.SECRET_NOTE}.")
    assert charts.SECRET_NOTE not in both.alt
    assert withheld.height_cm > both.height_cm  # room for the note


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_chart_notes_withheld_values(name):
    function, args, kwargs = EXAMPLES[name]
    label_args, data = args[:-1], args[-1]
    if isinstance(data, dict):
        first = next(iter(data))
        data = {**data, first: [None, *data[first][1:]]}
    else:
        data = [None, *data[1:]]
    chart = function(*label_args, data, **kwargs)
    assert "non publié" in chart.alt
    assert chart.alt.endswith(f"{charts.SECRET_NOTE}.")


@pytest.mark.parametrize("name", EXAMPLES)
def test_empty_input_raises(name):
    function, args, kwargs = EXAMPLES[name]
    empty = [[] for _ in args]
    if isinstance(args[-1], dict):
        empty[-1] = {key: [] for key in args[-1]}
    with pytest.raises(ValueError):
        function(*empty, **kwargs)


def test_nothing_to_draw_raises():
    with pytest.raises(ValueError):
        charts.horizontal_bar_chart(["A", "B"], [None, math.nan], subject="S")
    with pytest.raises(ValueError):
        charts.stacked_share_chart(["A"], {"Femmes": [None], "Hommes": [3]}, subject="S")


def test_inconsistent_or_negative_input_raises():
    with pytest.raises(ValueError):
        charts.column_chart(["A", "B"], [1, 2, 3], subject="S")
    with pytest.raises(ValueError):
        charts.horizontal_bar_chart(["A", "B"], [1, -2], subject="S")


def test_accepts_pandas_series():
    pd = pytest.importorskip("pandas")
    values = pd.Series([3_512_345, 620_000], index=MODALITES[:2])
    chart = charts.horizontal_bar_chart(values.index, values, subject="S", value_kind="heures")
    assert f"3{NNBSP}512{NNBSP}345{NBSP}heures" in chart.alt


def test_long_labels_are_wrapped_never_cut():
    label = "Marché de services d'insertion et de qualification professionnelle des Hauts-de-Seine"
    wrapped = charts._wrap(label, 100, charts.TEXT_SIZE)
    assert "\n" in wrapped
    assert wrapped.replace("\n", " ").replace("- ", "-").replace(NBSP, " ") == label
    assert all(charts._text_size(line, charts.TEXT_SIZE)[0] <= 100 for line in wrapped.split("\n"))
    assert "35\n" not in charts._wrap("Moins de 35 h", 40, charts.TEXT_SIZE)


@pytest.mark.parametrize(("ticks", "kind", "expected"), [
    ([0, 500_000, 1_000_000, 1_500_000], "heures", ["0", f"0,5{NBSP}M", f"1,0{NBSP}M", f"1,5{NBSP}M"]),
    ([0, 125_000, 250_000], "nombre", ["0", f"125{NNBSP}000", f"250{NNBSP}000"]),
    ([0, 250_000, 500_000, 750_000, 1_000_000], "heures",
     ["0", f"250{NNBSP}000", f"500{NNBSP}000", f"750{NNBSP}000", f"1{NNBSP}000{NNBSP}000"]),
    ([0, 2_000_000, 4_000_000], "heures", ["0", f"2{NBSP}M", f"4{NBSP}M"]),
    ([0, 2.5, 5], "decimal", ["0,0", "2,5", "5,0"]),
    ([0, 0.1, 0.2], "part", [f"0{NBSP}%", f"10{NBSP}%", f"20{NBSP}%"]),
])
def test_axis_ticks_are_french(ticks, kind, expected):
    assert charts._tick_labels(ticks, kind) == expected


def test_fonts_are_at_least_8_pt_at_print_size():
    assert min(charts.TITLE_SIZE, charts.TEXT_SIZE, charts.VALUE_SIZE, charts.NOTE_SIZE) >= 8


def test_value_labels_are_white_on_dark_fills_and_dark_on_light_ones():
    assert charts.text_on("#1f4e79") == "white"
    assert charts.text_on("#000000") == "white"
    assert charts.text_on("#ffffff") == charts.TEXT_COLOUR
    assert charts.text_on("#c68900") == charts.TEXT_COLOUR  # the orange accent: dark text reads better


def test_pyramid_bands_touch():
    rows = charts._Rows([f"{low}-{low + 4} ans" for low in range(20, 70, 5)], 400, max_share=0.3, contiguous=True)
    assert rows.bar == pytest.approx(1 - 1 / rows.pitch) and rows.pitch < charts._BAR + 2 * charts._GAP


@pytest.mark.parametrize("name", EXAMPLES)
def test_small_screens_variant_has_no_text_under_the_note_size(monkeypatch, name):
    """The web page shows charts drawn 7,5 cm wide on a phone: their smallest text is the note's."""
    from matplotlib.text import Text

    from panorama.compose import figspec

    figures = []
    original = charts._render
    monkeypatch.setattr(charts, "_render", lambda fig, alt: (figures.append(fig), original(fig, alt))[1])
    chart = draw(name, width_cm=figspec.NARROW_WIDTH_CM)
    assert chart.width_cm == pytest.approx(figspec.NARROW_WIDTH_CM)
    (fig,) = figures
    sizes = [text.get_fontsize() for text in fig.findobj(Text) if text.get_visible() and text.get_text().strip()]
    assert min(sizes) >= charts.NOTE_SIZE
