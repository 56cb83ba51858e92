"""The sheet of one département (``spec/report.md`` §2): 2 to 4 pages built from
the same :class:`~panorama.protect.results.Results` as the panorama, for the perimeter
of the département (contracts of the operations executed there).
"""

from __future__ import annotations

from panorama.compose import commentary, figspec
from panorama.compose.commentary import Texts
from panorama.compose.composer import (
    HALF,
    Composer,
    breakdown_table,
    figure_pyramid,
    leader,
    logo_uri,
    nature_table,
    sentence_case,
    total_shown,
)
from panorama.compose.document import (
    SECRET,
    Column,
    Document,
    Section,
    Table,
    chart_value,
)
from panorama.compute.indicators import REGION
from panorama.core import catalogue, referential
from panorama.core.formatting import fmt_count, fmt_hours, fmt_pct, plural
from panorama.protect.results import Results

COMPARED = ("heures", "etp_1820", "etp_1607", "participants", "contrats", "operations", "donneurs_ordre",
            "entreprises", "heures_par_participant", "part_femmes", "part_moins_26", "part_50_plus", "part_qpv",
            "part_sortie_emploi_durable", "heures_iae", "heures_alternance", "taux_realisation_annuel",
            "couverture_heures_prevues", "montant_ht", "couverture_montant_ht")


def _section_key_figures(b: Composer, name: str) -> Section:
    r, code = b.r, b.perimetre
    hours = r.figure_row("heures", code)
    departements = b.rows("departement_execution", REGION)
    share = total_shown(departements[departements["code"] == code]["part_heures"])
    trend = commentary.trend(hours["evolution"], r.previous_year)
    text = (f"En {r.year}, {fmt_hours(hours['valeur'])} d'insertion ont été réalisées sur des opérations "
            f"exécutées {referential.departement_in(code)}, soit {fmt_pct(share)} des heures de la région"
            + (f", {trend}" if trend else "") + f". Elles ont bénéficié à "
            f"{fmt_count(b.value('participants'), 'participant')}.")
    has_prev = r.previous_year is not None
    columns = [Column("Indicateur"), Column(name, "mixte"), Column(b.config.region_nom, "mixte")]
    if has_prev:
        columns.append(Column(f"Évolution {r.previous_year}-{r.year}", "mixte"))
    rows = []
    for indicator in COMPARED:
        meta = catalogue.key_figure(indicator)
        line = [sentence_case(meta.label), (b.shown(indicator), meta.format),
                (b.shown(indicator, REGION), meta.format)]
        if has_prev and indicator.startswith("couverture_"):
            line.append(("—", "texte"))
        elif has_prev:
            line.append((b.shown_evolution(indicator), "points" if meta.evolution == "points" else "evolution"))
        rows.append(line)
    table = Table(caption=f"Chiffres clés du département et de la région, {r.year}", columns=columns, rows=rows,
                  note="Un participant ou une entreprise présents dans plusieurs départements sont comptés "
                       "dans chacun.")
    return Section("chiffres-cles", "Chiffres clés", [b.text(f"fiche_{code}_chiffres_cles", text), table])


def _section_operations(b: Composer) -> Section:
    year = b.r.year
    modalite = b.rows("modalite")
    articles = referential.MODALITE_ARTICLES
    modality_table = Table(
        caption=f"Opérations et heures par modalité juridique, {year}",
        columns=[Column("Modalité"), Column("Code 2019", "code"), Column("Opérations", "nombre"),
                 Column("Heures", "nombre"), Column("Part des heures", "part")],
        rows=[[x.libelle, (articles.get(x.code) or (None,))[0] or "—", x.operations, x.heures, x.part_heures]
              for x in modalite.itertuples()])
    label, share = leader(modalite)
    text = (f"En {year}, le département compte {fmt_count(b.value('operations'), 'opération')} "
            f"{plural(b.value('operations'), 'suivie', 'suivies')} pour "
            f"{fmt_count(b.value('donneurs_ordre'), 'donneur', 'donneurs')} d'ordre ; la modalité « {label} » "
            f"porte {fmt_pct(share)} des heures.")
    return Section("operations", "Les opérations", [
        b.text(f"fiche_{b.perimetre}_operations", text), modality_table, nature_table(b),
        b.bar("type_donneur_ordre", "Heures par type de donneur d'ordre", "Heures par type de donneur d'ordre")])


def _section_participants(b: Composer) -> Section:
    women = b.value("part_femmes")
    text = (f"{fmt_pct(women)} de femmes, {fmt_pct(b.value('part_moins_26'))} de moins de 26 ans, "
            f"{fmt_pct(b.value('part_50_plus'))} de 50 ans et plus ; {fmt_pct(b.value('part_qpv'))} résident "
            f"en quartier prioritaire (parmi les résidences connues).")
    return Section("participants", "Les participants", [
        b.text(f"fiche_{b.perimetre}_participants", text),
        figure_pyramid(b, commentary.women_title(women), width=HALF),
        b.bar("niveau_qualification", "Participants par niveau de qualification", "Niveau de qualification",
              measure="participants", width=HALF),
        b.bar("critere_principal", "Participants par critère principal d'éligibilité",
              "Critère principal d'éligibilité", measure="participants"),
    ])


def _section_territory(b: Composer, name: str) -> Section:
    year = b.r.year
    communes = b.rows("commune_execution")
    values = {x.code: x.heures for x in communes.itertuples() if x.code != referential.NON_RENSEIGNE}
    image = figspec.commune_map(
        b.perimetre, {c: chart_value(v) for c, v in values.items()}, b.config, legend_title="Heures réalisées",
        unit="heures", missing_label=figspec.SECRET_MAP_LABEL if any(v is SECRET for v in values.values())
        else figspec.MISSING_LABEL, symbols=True)
    located = communes[communes["code"] != referential.NON_RENSEIGNE]
    top = located[~located["secret"]].sort_values("heures", ascending=False, kind="stable").head(10)
    table = Table(caption=f"Les dix communes où le plus d'heures ont été réalisées, {year}",
                  columns=[Column("Commune"), Column("Opérations", "nombre"), Column("Heures", "nombre"),
                           Column("Part des heures", "part")],
                  rows=[[x.libelle, x.operations, x.heures, x.part_heures] for x in top.itertuples()])
    unknown = total_shown(communes[communes["code"] == referential.NON_RENSEIGNE]["part_heures"])
    noun = ("arrondissement" if len(located) and all(map(referential.is_arrondissement, located["code"]))
            else "commune")
    text = (f"Des heures ont été réalisées dans {fmt_count(len(located), noun)} "
            f"{'de la commune' if noun == 'arrondissement' else 'du département'}"
            + (f" ; la commune d'exécution n'est pas renseignée pour {fmt_pct(unknown)} des heures." if unknown
               else "."))
    residence = b.rows("departement_residence")
    local = total_shown(residence[residence["code"] == b.perimetre]["part_participants"])
    text += f" {fmt_pct(local)} des participants résident dans le département."
    return Section("territoire", "Le territoire et l'évolution", [
        b.text(f"fiche_{b.perimetre}_territoire", text),
        b.figure(f"Heures réalisées par commune d'exécution — {name}", image, table,
                 note="Les contours épais délimitent les intercommunalités (EPCI) quand le département en compte "
                      "plusieurs. "
                      f"{sentence_case(figspec.MAP_SOURCE)}."),
        _residence_figure(b, name),
        _evolution_figure(b),
    ])


def _residence_figure(b: Composer, name: str):
    """Where the participants live: in the département, elsewhere in the region, outside, unknown."""
    rows = b.rows("departement_residence")
    groups = (
        (name, rows["code"] == b.perimetre),
        ("Autre département de la région", rows["code"].isin(b.config.departements) & (rows["code"] != b.perimetre)),
        ("Hors de la région", ~rows["code"].isin([*b.config.departements, referential.NON_RENSEIGNE])),
        ("Non renseigné", rows["code"] == referential.NON_RENSEIGNE),
    )
    kept = [(label, rows[mask]) for label, mask in groups if mask.any()]
    chart = figspec.bars(
        [label for label, _ in kept], [chart_value(total_shown(part["participants"])) for _, part in kept],
        subject="Participants selon leur lieu de résidence",
        shares=[chart_value(total_shown(part["part_participants"])) for _, part in kept], unit="nombre",
        colour=b.config.couleur_principale, width_cm=HALF)
    table = breakdown_table(rows, "Participants par département de résidence", "participants")
    return b.figure("Où résident les participants", chart, table)


def _evolution_figure(b: Composer):
    """Hours and participants of the département over every year available."""
    r, code = b.r, b.perimetre
    serie = r.serie("heures", code)
    labels = [str(y) for y, _ in serie]
    hours = [v for _, v in serie]
    people = [v for _, v in r.serie("participants", code)]
    chart = figspec.lines(
        labels, [chart_value(v) for v in hours], subject="Heures d'insertion réalisées par année",
        unit="heures", colour=b.config.couleur_principale, width_cm=HALF)
    table = Table(caption="Heures et participants par année",
                  columns=[Column("Année"), Column("Heures", "nombre"), Column("Participants", "nombre")],
                  rows=[[y, h, p] for y, h, p in zip(labels, hours, people)])
    return b.figure("Évolution des heures réalisées", chart, table)


def build_sheet(results: Results, code: str, texts: Texts) -> Document:
    """The sheet of département ``code`` as a :class:`~panorama.compose.document.Document`."""
    config = results.config
    name = referential.departement_name(code) or code
    b = Composer(results, texts, perimetre=code)
    sections = [_section_key_figures(b, name), _section_operations(b), _section_participants(b),
                _section_territory(b, name)]
    return Document(
        title=f"{name} ({code})", subtitle=f"Les clauses sociales dans le département en {results.year}",
        year=results.year, region=config.region_nom, observatory=config.observatoire_nom,
        publisher=config.observatoire_porteur, sections=sections, example=results.example,
        publication_date=config.date_publication, logo_uri=logo_uri(config.logo),
        primary_colour=config.couleur_principale, source_line=b.source, layout="fiche",
        kicker=f"Fiche départementale — panorama des clauses sociales {config.region_dans}")
