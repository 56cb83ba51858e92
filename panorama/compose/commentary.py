"""Generated French text: evolutions, chart titles that state the finding, and
the observatory's own Markdown texts that replace any generated paragraph.

Sentences are built from figures of the results object only; agreement
(singulier/pluriel) and direction (hausse/baisse/stabilité) follow the values.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from panorama.core import catalogue
from panorama.core.formatting import (
    NBSP,
    fmt_evolution,
    fmt_number,
    fmt_pct,
    is_missing,
    plural,
)

STABLE_RATE = 0.005  # below ±0.5 % an evolution reads as « stable »
STABLE_POINTS = 0.001  # below ±0.1 point a share reads as « stable »


def trend(evolution: float | None, previous_year: int | None, indicator: str = "heures") -> str:
    """« en hausse de 12,3 % par rapport à 2018 », « stable par rapport à 2018 », or "".

    For a share (:attr:`catalogue.KeyFigure.evolution`) the evolution is a difference in points:
    « en baisse de 2,5 points par rapport à 2018 ».
    """
    way = direction(evolution, indicator)
    if not way or previous_year is None:
        return ""
    if way == "stable":
        return f"stable par rapport à {previous_year}"
    amount = fmt_points(abs(evolution)).lstrip("+") if _in_points(indicator) else fmt_pct(abs(evolution))
    return f"en {way} de {amount} par rapport à {previous_year}"


def _in_points(indicator: str) -> bool:
    """Whether the evolution of ``indicator`` is a difference in points (a share)."""
    return catalogue.key_figure(indicator).evolution == "points"


def change(evolution: float | None) -> str:
    """Past participle of a change of volume: « augmenté de 22,1 % », « diminué de 3,0 % »,
    « peu varié » (within ±0,5 %), or "" when the change is unknown."""
    way = direction(evolution, "heures")
    if not way:
        return ""
    if way == "stable":
        return "peu varié"
    return f"{'augmenté' if way == 'hausse' else 'diminué'} de {fmt_pct(abs(evolution))}"


def fmt_points(diff: float | None) -> str:
    """« +1,2 point », « −2,5 points » from a difference of fractions."""
    if is_missing(diff):
        return "n.d."
    points = round(diff * 100, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    sign = "+" if points > 0 else ""
    return f"{sign}{fmt_number(points, 1)}{NBSP}{plural(points, 'point')}"


def evolution_text(indicator: str, evolution: float | None) -> str:
    """Short signed evolution for a key-figure card: « +3,2 % » or « +1,2 point »."""
    if is_missing(evolution):
        return ""
    return fmt_points(evolution) if _in_points(indicator) else fmt_evolution(evolution)


def direction(evolution: float | None, indicator: str) -> str:
    """``hausse``, ``baisse`` or ``stable`` (for the arrow of a key-figure card)."""
    if is_missing(evolution):
        return ""
    threshold = STABLE_POINTS if _in_points(indicator) else STABLE_RATE
    if abs(evolution) < threshold:
        return "stable"
    return "hausse" if evolution > 0 else "baisse"


def women_title(share: float) -> str:
    """Title of the participants-by-sex chart, stating the finding."""
    if is_missing(share):
        return "Répartition des participants par sexe"
    if share < 0.4:
        return f"Les femmes restent minoritaires : {fmt_pct(share)} des participants"
    if share > 0.6:
        return f"Les femmes sont majoritaires : {fmt_pct(share)} des participants"
    return f"Une répartition proche de la parité : {fmt_pct(share)} de femmes"


def leader_title(label: str, share: float, what: str, fallback: str) -> str:
    """« Clause d'insertion : 78,1 % des heures » when one category leads clearly
    (at least 40 %), else ``fallback``."""
    if is_missing(share) or share < 0.4:
        return fallback
    return f"{label} : {fmt_pct(share)} {what}"


class Texts:
    """The observatory's Markdown texts (``<key>.md`` in one folder).

    ``get(key, generated)`` returns the observatory's text rendered to HTML
    when ``<key>.md`` exists, else the generated paragraph (plain text,
    escaped by the template).
    """

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._markdown = MarkdownIt("commonmark", {"html": False})

    def available(self) -> list[str]:
        """Keys of the texts present in the folder."""
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.md"))

    def custom(self, key: str) -> str | None:
        """The HTML of ``<key>.md`` when the observatory wrote it, else ``None``."""
        if self.folder is None:
            return None
        path = self.folder / f"{key}.md"
        if not path.is_file():
            return None
        return self._markdown.render(path.read_text(encoding="utf-8-sig"))
