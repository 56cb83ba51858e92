"""Shared pieces of every publication: the :class:`Composer` that turns figures of
the results into document blocks for one perimeter, and table helpers.
"""

from __future__ import annotations

import base64
import math

import pandas as pd

from panorama.compose import commentary, figspec
from panorama.compose.commentary import Texts
from panorama.compose.document import (
    SECRET,
    Card,
    Column,
    Figure,
    Findings,
    Table,
    Text,
    chart_value,
)
from panorama.compute.indicators import REGION
from panorama.core import catalogue, referential
from panorama.core.config import LOGO_FORMATS
from panorama.core.errors import ConfigError
from panorama.core.formatting import fmt_count, fmt_pct, is_missing
from panorama.protect.results import Published

SOURCE = "Source : {observatory}, données des facilitateurs {year}."
HALF = figspec.HALF_WIDTH_CM


#: Codes of the unknown values of a breakdown, shown apart from its distribution.
UNKNOWN_CODES = (referential.NON_RENSEIGNE, "INCONNU")


class Composer:
    """Shared state while composing one document: results, texts, the perimeter
    described (the region or one département) and the figure ids."""

    def __init__(self, results: Published, texts: Texts, perimetre: str = REGION):
        self.r = results
        self.perimetre = perimetre
        self.texts = texts
        self.config = results.config
        self.source = SOURCE.format(observatory=self.config.observatoire_nom, year=results.year)
        if results.example:
            self.source = "Source : données fictives d'exemple (générateur de panorama)."
        self._count = 0

    # -- blocks --------------------------------------------------------------
    def text(self, key: str, generated: str) -> Text:
        """A paragraph the observatory can replace with ``<key>.md``."""
        custom = self.texts.custom(key)
        return Text(key=key, text=generated, html=custom)

    def findings(self, key: str, items: list[str]) -> Findings:
        """The findings of the year, which the observatory can replace with ``<key>.md``."""
        return Findings(key=key, items=items, html=self.texts.custom(key))

    def coverage(self, code: str, perimetre: str | None = None):
        """Share of the participants a share ``code`` is computed on (those whose value is
        known), as printed; ``None`` when the share is computed on every participant."""
        denominator = catalogue.key_figure(code).denominator
        if denominator is None:
            return None
        rows = self.rows(denominator.dimension, perimetre)
        return total_shown(v for c, v in zip(rows["code"], rows["part_participants"]) if denominator.counts(c))

    def figure(self, title: str, spec: figspec.Spec, table: Table | None = None, note: str = "") -> Figure | Table:
        """A chart or map (its specification, drawn later) with its title, source and data
        table; the table alone, with a note saying why, when the chart cannot be drawn
        (:attr:`~panorama.compose.figspec.ChartSpec.refusal`: every value secret or missing)."""
        if spec.refusal is not None:
            table = table or Table(caption=title, columns=[Column("—")], rows=[])
            return Table(caption=title, columns=table.columns, rows=table.rows,
                         note=f"{note} Aucune valeur publiable (secret statistique).".strip())
        self._count += 1
        return Figure(id=f"figure-{self._count}", title=title, spec=spec, source=self.source, table=table,
                      note=note)

    def map(self, title: str, values: dict, legend: str, kind: str, table: Table, *,
            symbols: bool = False) -> Figure:
        """Map of ``values`` (département code → value) over the configured départements:
        proportional circles for counts (``symbols``), else a choropleth (rates, shares,
        means); a secret value is hatched « Secret statistique »."""
        shown = {code: values.get(code) for code in self.config.departements}
        secret = any(v is SECRET for v in shown.values())
        spec = figspec.departement_map({code: chart_value(v) for code, v in shown.items()}, self.config,
                                       legend_title=legend, unit=kind,
                                       missing_label=figspec.SECRET_MAP_LABEL if secret else figspec.MISSING_LABEL,
                                       symbols=symbols)
        return self.figure(title, spec, table, note=f"{sentence_case(figspec.MAP_SOURCE)}.")

    def rows(self, dimension: str, perimetre: str | None = None) -> pd.DataFrame:
        """Rows of a breakdown (publication order), for the document's perimeter by
        default; the figures of a secret row are :data:`~panorama.compose.document.SECRET`."""
        return published(self.r.breakdown(dimension, perimetre or self.perimetre))

    def value(self, code: str, perimetre: str | None = None) -> float:
        """Key figure ``code``, for the document's perimeter by default (NaN when secret)."""
        return self.r.figure(code, perimetre or self.perimetre)

    def shown_evolution(self, code: str, perimetre: str | None = None):
        """N−1 evolution of key figure ``code`` as printed (:data:`~panorama.compose.document.SECRET`
        when either year is secret)."""
        row = self.r.figure_row(code, perimetre or self.perimetre)
        return SECRET if row["secret"] or row["secret_precedent"] else row["evolution"]

    def shown(self, code: str, perimetre: str | None = None):
        """Key figure ``code`` as printed: its value, or :data:`~panorama.compose.document.SECRET`."""
        perimetre = perimetre or self.perimetre
        return SECRET if self.r.is_secret(code, perimetre) else self.r.figure(code, perimetre)

    def bar(self, dimension: str, subject: str, title: str, *, measure: str = "heures",
            width: float = figspec.FULL_WIDTH_CM, note: str = "", drop_missing: bool = False) -> Figure | Table:
        """Horizontal bars of one breakdown (hours or participants, with shares); only
        the table when every value is secret.

        The unknown values (« Non renseigné », « … inconnu ») are not bars of the distribution:
        the note gives them, and the shares are on the known values when no category is secret
        (else the shares of the whole, as published, and the note says so)."""
        rows = self.rows(dimension)
        if drop_missing:
            rows = rows[rows["code"] != referential.NON_RENSEIGNE]
        share = "part_heures" if measure == "heures" else "part_participants"
        kind = "heures" if measure == "heures" else "nombre"
        unknown = rows["code"].isin(UNKNOWN_CODES)
        known, missing = rows[~unknown], rows[unknown]
        shares = [chart_value(v) for v in known[share]]
        if len(missing):
            what = "des heures" if measure == "heures" else "des participants"
            apart = " ; ".join(f"{x.libelle.lower()} : {fmt_pct(x_share)} {what}" if x_share is not SECRET
                               else f"{x.libelle.lower()} : secret statistique"
                               for x, x_share in zip(missing.itertuples(), missing[share]))
            if not rows["secret"].any() and known[measure].sum() > 0:
                shares = list(known[measure] / known[measure].sum())
                basis = "Parts calculées sur les valeurs connues"
            else:
                basis = "Parts calculées sur l'ensemble"
            note = f"{note} {basis} ; hors graphique, {apart}.".strip()
        return self.figure(title, figspec.bars(
            list(known["libelle"]), [chart_value(v) for v in known[measure]], subject=subject,
            shares=shares, unit=kind, colour=self.config.couleur_principale,
            width_cm=width), breakdown_table(rows, subject, measure), note)


PYRAMID = "sexe_x_age_quinquennal"
"""The cross-tab of the age pyramid: sex × five-year age band."""


def figure_pyramid(b: Composer, title: str, width: float = figspec.FULL_WIDTH_CM) -> Figure | Table:
    """Age pyramid of the composer's perimeter (sex × five-year age band), with its table;
    participants whose sex or age is not filled are left out of the chart, and the note
    gives their number."""
    rows = b.rows(PYRAMID)
    counts = dict(zip(rows["code"], rows["participants"]))
    bands = [(code, label) for _, _, code, label in catalogue.FIVE_YEAR_AGE_BANDS]
    left = [counts.get(f"F|{band}", 0) for band, _ in bands]
    right = [counts.get(f"M|{band}", 0) for band, _ in bands]
    labels = [label for _, label in bands]
    chart = figspec.pyramid(labels, [chart_value(v) for v in left], [chart_value(v) for v in right],
                            subject="Participants par sexe et âge", colour=b.config.couleur_principale,
                            width_cm=width)
    table = Table(caption=f"Participants par sexe et âge, {b.r.year}",
                  columns=[Column("Âge"), Column("Femmes", "nombre"), Column("Hommes", "nombre")],
                  rows=[[label, f, m] for label, f, m in zip(labels, left, right)])
    unknown = total_shown(v for code, v in counts.items() if referential.NON_RENSEIGNE in code.split("|"))
    note = ""
    if unknown is SECRET:
        note = "Hors graphique : participants dont le sexe ou l'âge n'est pas renseigné (secret statistique)."
    elif unknown:
        note = f"Hors graphique : {fmt_count(unknown, 'participant')} dont le sexe ou l'âge n'est pas renseigné."
    return b.figure(title, chart, table, note)


def breakdown_table(rows: pd.DataFrame, caption: str, measure: str = "heures") -> Table:
    """Data table behind a breakdown chart: hours or participants, with shares."""
    if measure == "heures":
        columns = [Column("Catégorie"), Column("Heures", "nombre"), Column("Part des heures", "part"),
                   Column("Contrats", "nombre"), Column("Participants", "nombre")]
        data = [[r.libelle, r.heures, r.part_heures, r.contrats, r.participants] for r in rows.itertuples()]
    else:
        columns = [Column("Catégorie"), Column("Participants", "nombre"), Column("Part des participants", "part"),
                   Column("Heures", "nombre")]
        data = [[r.libelle, r.participants, r.part_participants, r.heures] for r in rows.itertuples()]
    return Table(caption=caption, columns=columns, rows=data)


def sentence_case(text: str) -> str:
    """First letter upper-cased, the rest untouched (« Résidant en QPV »)."""
    return text[:1].upper() + text[1:]


def published(rows: pd.DataFrame) -> pd.DataFrame:
    """Breakdown rows as printed: the figures of a secret row become :data:`~panorama.compose.document.SECRET`."""
    if not rows["secret"].any():
        return rows
    out = rows.copy()
    for column in ("heures", "contrats", "participants", "part_heures", "part_participants", "operations"):
        out[column] = out[column].astype(object).where(~out["secret"], SECRET)
    return out


def total_shown(values) -> object:
    """Sum of printed values: :data:`~panorama.compose.document.SECRET` when any of them is secret."""
    values = list(values)
    return SECRET if any(v is SECRET for v in values) else float(sum(values))


def leader(rows: pd.DataFrame, measure: str = "part_heures") -> tuple[str, float]:
    """Label and share of the largest published category of a breakdown, the unknown values
    aside; the share on the same basis as :meth:`Composer.bar` draws it (on the known values
    when no category is secret, else on the whole, as published)."""
    known = rows[~rows["code"].isin(UNKNOWN_CODES)]
    shown = known[~known["secret"]]
    ranked = shown.assign(**{measure: shown[measure].astype(float)}).sort_values(measure, ascending=False,
                                                                                kind="stable")
    if ranked.empty:
        return "", math.nan
    top = ranked.iloc[0]
    count = "heures" if measure == "part_heures" else "participants"
    if len(known) < len(rows) and not rows["secret"].any() and known[count].sum() > 0:
        return str(top["libelle"]), float(top[count] / known[count].sum())
    return str(top["libelle"]), float(top[measure])


def cards(b: Composer, codes: list[str]) -> list[Card]:
    """Key-figure cards of ``codes`` for the composer's perimeter, with evolution and series."""
    cards = []
    for code in codes:
        row = b.r.figure_row(code, b.perimetre)
        meta = catalogue.key_figure(code)
        earlier = [(year, value) for year, value in b.r.serie(code, b.perimetre) if year < b.r.year]
        covered = b.coverage(code)
        detail = ""
        if covered is not None and meta.denominator.known:
            detail = f"{meta.denominator.known} pour {fmt_pct(covered)} des participants"
        cards.append(Card(label=meta.label, value=SECRET if row["secret"] else row["valeur"], kind=meta.format,
                          evolution=commentary.evolution_text(code, row["evolution"]),
                          direction=commentary.direction(row["evolution"], code),
                          detail=detail, history=earlier))
    return cards


def nature_table(b: Composer) -> Table:
    """Operations, hours and (when the data have them) amounts of the marchés by nature of
    marché, for the composer's perimeter; the note states the amounts' coverage."""
    rows = b.rows("nature")
    columns = [Column("Nature"), Column("Opérations", "nombre"), Column("Heures", "nombre"),
               Column("Part des heures", "part")]
    data = [[x.libelle, x.operations, x.heures, x.part_heures] for x in rows.itertuples()]
    note = ""
    covered = b.value("couverture_montant_ht")
    if not is_missing(b.value("montant_ht")):
        columns.append(Column("Montant des marchés (HT)", "euros"))
        data = [[*line, b.shown(f"montant_ht_{code}")] for line, code in zip(data, rows["code"])]
        note = (f"Montant hors taxes des marchés publics suivis, pour toute leur durée (hors donneurs d'ordre "
                f"privés et clauses hors commande publique) ; montant renseigné pour {fmt_pct(covered)} de ces "
                f"marchés, les autres ne sont pas comptés.")
    return Table(caption=f"Opérations, heures et montants par nature de marché, {b.r.year}" if note
                 else f"Opérations et heures par nature de marché, {b.r.year}", columns=columns, rows=data, note=note)


def series_table(years: list[str], values: list[float], label: str, kind: str) -> Table:
    """Two-column table of a series: year, value."""
    return Table(caption=f"{label} par année", columns=[Column("Année"), Column(label, kind)],
                 rows=[[y, v] for y, v in zip(years, values)])


def logo_uri(path) -> str | None:
    """The configured logo inlined as a data URI (the HTML stays self-contained)."""
    if path is None:
        return None
    kind = LOGO_FORMATS.get(path.suffix.lower())
    if kind is None or not path.is_file():
        raise ConfigError(f"{path} : logo introuvable ou de format non pris en charge (PNG, JPEG ou SVG attendu).")
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
