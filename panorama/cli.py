"""Command line: a thin French layer over :mod:`panorama.pipeline` and
:mod:`panorama.input.validation`; the publications it offers, their help and their choices
come from the registry (:mod:`panorama.core.publications`), the data from a
:class:`~panorama.input.source.Source` (``--data``, or the embedded example).

Heavy libraries (pandas, matplotlib, geopandas, WeasyPrint) are imported
inside the commands, so ``panorama --help`` answers at once. Data and
configuration problems, and faults of the machine (disk full, writing refused), print a
French message and exit with status 1; an unexpected failure prints a short French
message (the traceback only with ``PANORAMA_DEBUG=1``) and exits with status 3.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer
import typer.core

from panorama.core.publications import PANORAMA, SHEETS, studies, study

# typer's own words, in French (typer looks them up through gettext's ``_``).
_FRENCH = {
    "Options": "Options", "Arguments": "Arguments", "Commands": "Commandes",
    "required": "obligatoire", "default: {default}": "par défaut\u00a0: {default}",
    "Missing command.": "Commande manquante.", "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "Aborted!": "Interrompu.",
}
typer.core._ = lambda text: _FRENCH.get(text, text)

# Usage errors raised by the command-line parser, in French.
_USAGE_ERRORS = (
    (r"Missing argument '(.+)'\.", "argument manquant : {0}"),
    (r"No such option: (\S+?)\.?(?: Did you mean (\S+?)\?)?",
     "option inconnue : {0}"),
    (r"No such option: (\S+) \(Possible options: (.*)\)", "option inconnue : {0} (options possibles : {1})"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", "argument en trop : {0}"),
    (r"Option '(.+)' requires an argument\.", "l'option {0} attend une valeur"),
    (r"Missing command\.", "commande manquante"),
    (r"Commande inconnue : '(.+)'\.(?: Did you mean '(.+)'\?)?",
     "commande inconnue : « {0} »"),
)


NBSP = "\u00a0"


class _Formatter(typer.core._click.HelpFormatter):
    """Help headings with French typography: « Options : » (non-breaking space before the colon)."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}{NBSP}:\n")


class _Context(typer.core._click.Context):
    formatter_class = _Formatter


# The type of an argument (« <str> ») says nothing its name does not: not shown.
typer.core.TyperArgument.display_type_rich = lambda self, ctx: None


class _FrenchUsage:
    """Usage line, headings and help option of typer's commands, in French."""

    context_class = _Context

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if getattr(self, "subcommand_metavar", None) == "COMMAND [ARGS]...":
            self.subcommand_metavar = "COMMANDE [ARGUMENTS]…"

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix=f"Utilisation{NBSP}: ")

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Affiche cette aide et quitte."
        return option


class _Group(_FrenchUsage, typer.core.TyperGroup):
    pass


class _Command(_FrenchUsage, typer.core.TyperCommand):
    pass


app = typer.Typer(
    name="panorama",
    cls=_Group,
    help="Panorama annuel des clauses sociales dans la commande publique : "
         "indicateurs, rapport PDF et HTML, données ouvertes.",
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)

DataOption = Annotated[Optional[Path], typer.Option(
    "--data", "-d", metavar="DOSSIER",
    help="Dossier racine des données (un sous-dossier par année). "
         "Sans cette option : les données fictives d'exemple.")]
WarehouseOption = Annotated[Optional[Path], typer.Option(
    "--entrepot", "-e", metavar="FICHIER",
    help="Entrepôt de données DuckDB de l'observatoire (rempli par « panorama importer ») : "
         "source des données, au lieu de --data.")]
ConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", "-c", metavar="FICHIER",
    help="Fichier de configuration TOML (région, départements, observatoire…). "
         "Sans cette option : Île-de-France.")]
YearArgument = Annotated[str, typer.Argument(metavar="ANNEE", help="Année du panorama, par exemple 2019.")]
NoCacheOption = Annotated[bool, typer.Option(
    "--sans-cache", help="Redessine tous les graphiques et cartes, sans lire ni écrire le cache des figures "
                         "(~/.cache/panorama/figures, ou $XDG_CACHE_HOME/panorama/figures).")]


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        _fail(f"Année invalide : « {text} » ; attendu une année sur quatre chiffres, par exemple 2019.")
    return int(text)


INTERRUPTED = "Interrompu : rien de plus n'a été publié, les sorties précédentes sont intactes."


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _run(action):
    """Run ``action`` turning known errors into French messages and exit codes."""
    from panorama.core.errors import PanoramaError, system_error

    try:
        return action()
    except PanoramaError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail(INTERRUPTED, 130)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
        if os.environ.get("PANORAMA_DEBUG"):
            raise
        if system_error(exc) is not None:
            _fail(str(system_error(exc)), 1)
        _fail(f"Erreur interne inattendue ({type(exc).__name__} : {exc}). "
              "Relancez avec PANORAMA_DEBUG=1 pour le détail et signalez-la aux mainteneurs.", 3)


@app.command("build", cls=_Command, short_help="Produit le panorama de l'année (PDF, HTML, données ouvertes).",
             help=f"Produit {PANORAMA.description} ; ou {SHEETS.description}.")
def build_command(
    year: YearArgument,
    data: DataOption = None,
    entrepot: WarehouseOption = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DOSSIER",
                                      help="Dossier de sortie ; le panorama va dans DOSSIER/ANNEE/.")] = Path("build"),
    config: ConfigOption = None,
    departements: Annotated[bool, typer.Option(
        "--departements", help="Produit la fiche de chaque département de la région (au lieu du panorama).")] = False,
    departement: Annotated[Optional[list[str]], typer.Option(
        "--departement", metavar="CODE",
        help="Produit la fiche d'un département (au lieu du panorama), par exemple --departement 93 ; "
             "option répétable.")] = None,
    pdf_archive: Annotated[bool, typer.Option(
        "--pdf-archive", help="PDF au format d'archivage PDF/A-3u (ISO 19005-3), toujours balisé ; "
                              "équivaut à « pdf_archive = true » dans la section [rapport] de la configuration.")] = False,
    sans_cache: NoCacheOption = False,
) -> None:
    """Build the panorama, or the sheets of the départements asked for."""
    def action():
        from panorama import pipeline
        from panorama.input.warehouse import from_options

        sheets = bool(departements or departement)
        return pipeline.run(SHEETS if sheets else PANORAMA, _year(year), from_options(data, entrepot), out,
                            pipeline.configuration(config, pdf_archive),
                            subjects=departement if sheets and not departements else None,
                            progress=_progress, cache=not sans_cache)

    started = time.perf_counter()
    output = _run(action)
    elapsed = time.perf_counter() - started
    what = "Fiches" if departements or departement else "Panorama"
    typer.echo(f"{what} {year} écrit{'es' if what == 'Fiches' else ''} dans {output.folder} ({_seconds(elapsed)}) :")
    for name in output.files:
        typer.echo(f"  {name}")
    summary = output.results.confidentiality
    if summary is not None:
        typer.echo(_secret_summary(summary))
    _echo_warnings(output.results.quality, year, data)
    _echo_texts(output)
    if output.results.example:
        typer.echo("Attention : données fictives d'exemple (option --data pour vos données).")


@app.command("site", cls=_Command, short_help="Écrit le site de data-visualisation (graphiques et cartes interactifs).",
             help="Écrit le site web statique de l'année dans DOSSIER/ANNEE/site : chiffres clés, graphiques et "
                  "cartes interactifs de la région et de chaque département, pour chaque année publiée. Il ne "
                  "lit que les données ouvertes déjà publiées dans DOSSIER (lancez d'abord « panorama build "
                  "ANNEE ») ; le dossier s'ouvre tel quel dans un navigateur ou se dépose sur un serveur web.")
def site_command(
    year: YearArgument,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DOSSIER",
                                      help="Dossier des éditions publiées ; le site va dans DOSSIER/ANNEE/site/.")
                   ] = Path("build"),
    config: ConfigOption = None,
) -> None:
    """Write the static site of the year from the open data published in ``out``."""
    def action():
        from panorama import pipeline
        from panorama.output.site import write_site

        return write_site(out, _year(year), pipeline.configuration(config), progress=_progress)

    started = time.perf_counter()
    folder, files = _run(action)
    size = sum((folder / name).stat().st_size for name in files)
    weight = str(round(size / 1e6, 1)).replace(".", ",")
    typer.echo(f"Site {year} écrit dans {folder} ({_seconds(time.perf_counter() - started)}, {len(files)} fichiers, "
               f"{weight} Mo) ; page d'accueil : {folder / 'index.html'}")


def _echo_texts(output) -> None:
    """Which texts the observatory supplied, which are generated and where to put its own."""
    typer.echo(texts_summary(output.texts, output.texts_folder))


def texts_summary(texts: list[tuple[str, bool]], folder: Path | None) -> str:
    """« Textes : 1 fourni par l'observatoire (edito) ; 15 générés, remplaçables … »."""
    supplied = [key for key, own in texts if own]
    generated = [key for key, own in texts if not own]
    parts = []
    if supplied:
        parts.append(f"{len(supplied)} fourni{'s' if len(supplied) > 1 else ''} par l'observatoire "
                     f"({', '.join(supplied)})")
    if generated:
        where = f"dans {folder}" if folder is not None else "dans le dossier des textes (rapport.textes)"
        parts.append(f"{len(generated)} généré{'s' if len(generated) > 1 else ''} à partir des chiffres, "
                     f"remplaçable{'s' if len(generated) > 1 else ''} par un fichier CLÉ.md {where}{NBSP}: "
                     + ", ".join(generated))
    return f"Textes{NBSP}: " + (" ; ".join(parts) if parts else "aucun") + "."


def _echo_warnings(report, year: str, data: Path | None) -> None:
    """The data's warnings, seen at build time: how many, the main ones, where to read them all."""
    from panorama.input.quality import build_warnings

    text = build_warnings(report, f"panorama validate {year}" + (f" --data {data}" if data is not None else ""))
    if text is not None:
        typer.echo(text)


def _secret_summary(summary) -> str:
    """« Secret statistique : 136 cases masquées (95 primaires, 41 secondaires, qui cachent 0,35 %
    des participants et 0,37 % des heures des cases) … »."""
    from panorama.core.formatting import fmt_int, fmt_share, plural

    people, hours = summary.loss
    text = (f"Secret statistique : {fmt_int(summary.suppressed)} {plural(summary.suppressed, 'case')} "
            f"{plural(summary.suppressed, 'masquée')} ({fmt_int(summary.primary)} "
            f"{plural(summary.primary, 'primaire')}, {fmt_int(summary.secondary)} "
            f"{plural(summary.secondary, 'secondaire')}, qui {plural(summary.secondary, 'cache', 'cachent')} "
            f"{fmt_share(people)} des participants et {fmt_share(hours)} des heures des cases)")
    if summary.greedy:
        text += " ; optimisation arrêtée à sa limite de calcul : masquage secondaire glouton"
    if summary.audited:
        text += f" ; audit réussi sur {fmt_int(summary.audited)} {plural(summary.audited, 'effectif')} masqués"
    return text + "."


def _seconds(elapsed: float) -> str:
    from panorama.core.formatting import fmt_number

    return f"{fmt_number(elapsed, 1)} s"


def _progress(message: str) -> None:
    typer.echo(f"… {message}", err=True)


@app.command("validate", cls=_Command)
def validate_command(year: YearArgument, data: DataOption = None, entrepot: WarehouseOption = None) -> None:
    """Vérifie les données d'une année et affiche un bilan de qualité."""
    def action():
        from panorama.input.quality import summary
        from panorama.input.validation import load_year
        from panorama.input.warehouse import from_options

        return summary(load_year(from_options(data, entrepot), _year(year)).quality)

    typer.echo(_run(action))


@app.command("example", cls=_Command,
             short_help="Écrit un jeu de données fictives (contrat v1), jusqu'à la France entière.")
def example_command(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DOSSIER",
                                      help="Dossier où écrire les données : un sous-dossier par année, "
                                           "qui ne doit pas déjà exister.")],
    contrats: Annotated[Optional[int], typer.Option(
        "--contrats", "--scale", "-n", metavar="N",
        help="Environ N contrats la dernière année, sur tous les départements français (sauf --departement). "
             "Sans cette option : l'exemple embarqué (Île-de-France, volume réaliste).")] = None,
    departement: Annotated[Optional[list[str]], typer.Option(
        "--departement", metavar="CODE",
        help="Département d'exécution, par exemple --departement 93 ; option répétable.")] = None,
    annee: Annotated[Optional[list[int]], typer.Option(
        "--annee", metavar="ANNEE", help="Année à produire ; option répétable (par défaut : 2017, 2018 et 2019).")
    ] = None,
    graine: Annotated[int, typer.Option("--graine", metavar="ENTIER",
                                        help="Graine du tirage : mêmes options, mêmes fichiers à l'octet près.")
                      ] = 2019,
) -> None:
    """Écrit un jeu de données fictives au contrat v1 (les cinq tables de chaque année).

    Sans option de volume, c'est l'exemple embarqué (examples/donnees) ; avec --contrats N,
    un jeu national d'environ N contrats par an, pour mesurer les performances.
    """
    def action():
        from panorama.core import referential
        from panorama.core.errors import UsageError
        from panorama.input import example
        from panorama.output.publish import adding

        years = tuple(sorted(set(annee or example.DEFAULT_YEARS)))
        taken = [str(out / str(year)) for year in years if (out / str(year)).exists()]
        if taken:
            raise UsageError(f"Dossier déjà présent : {', '.join(taken)} ; les données existantes ne sont jamais "
                             f"remplacées, choisissez un autre dossier (--out).")
        territory = tuple(departement) if departement else (
            tuple(referential.DEPARTEMENTS) if contrats is not None else None)
        scale = 1.0 if contrats is None else example.scale_for_contracts(contrats, years[-1], territory)
        with adding(out) as folder:
            example.generate(folder, years=years, seed=graine, scale=scale, departements=territory)
        return years

    started = time.perf_counter()
    years = _run(action)
    typer.echo(f"Données fictives {', '.join(map(str, years))} écrites dans {out} "
               f"({_seconds(time.perf_counter() - started)}).")


class _StudyCommand(_Command):
    """The ``study`` command: its help lists the registered studies."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return ["[OPTIONS]", "ETUDE [IDENTIFIANT] ANNEE"]

    def format_help_text(self, ctx, formatter) -> None:
        super().format_help_text(ctx, formatter)
        with formatter.section("Études"):
            formatter.write_dl([(f"{s.name} IDENTIFIANT" if s.subject else s.name,
                                 _unbreakable(f"{s.description[:1].upper()}{s.description[1:]}."))
                                for s in studies()])


def _unbreakable(text: str) -> str:
    """No line break before « : » and « ; » (French typography) when the help is wrapped."""
    return text.replace(" :", "\u00a0:").replace(" ;", "\u00a0;")


@app.command("study", cls=_StudyCommand, no_args_is_help=True,
             short_help="Produit une étude thématique (PDF, HTML, données ouvertes).",
             help=_unbreakable("Produit une étude thématique de l'année : PDF, page HTML et données ouvertes, dans "
                               "DOSSIER/ANNEE/etudes/. ETUDE est l'une des études listées plus bas ; IDENTIFIANT, ce "
                               "qu'elle étudie quand elle en demande un ; ANNEE, l'année. Par exemple : panorama "
                               "study femmes 2019."))
def study_command(
    arguments: Annotated[list[str], typer.Argument(metavar="ETUDE [IDENTIFIANT] ANNEE", hidden=True)],
    data: DataOption = None,
    entrepot: WarehouseOption = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="DOSSIER", help="Dossier de sortie ; l'étude va dans DOSSIER/ANNEE/etudes/.")
    ] = Path("build"),
    config: ConfigOption = None,
    listing: Annotated[bool, typer.Option(
        "--list", help=_unbreakable("Affiche les identifiants possibles de l'étude (les donneurs d'ordre…) au "
                                    "lieu de la produire, par exemple : panorama study donneur-ordre --list 2019."))
    ] = False,
    sans_cache: NoCacheOption = False,
) -> None:
    """Build one thematic study (``panorama study THEME [ID] YEAR``) or list its subjects (``--list``)."""
    theme, subject, year = _study_arguments(arguments, listing)

    def action():
        from panorama import pipeline
        from panorama.input.warehouse import from_options

        publication = study(theme)
        if listing:
            return pipeline.available_subjects(publication, year, from_options(data, entrepot))
        subjects = None if subject is None else [subject]
        pipeline.check_subjects(publication, subjects, year)  # before the configuration is read
        return pipeline.run(publication, year, from_options(data, entrepot), out, pipeline.configuration(config),
                            subjects=subjects, progress=_progress, cache=not sans_cache)

    started = time.perf_counter()
    output = _run(action)
    if listing:
        table = output
        typer.echo(f"Étude « {theme} » : {len(table)} identifiant{'s' if len(table) > 1 else ''} "
                   f"disponible{'s' if len(table) > 1 else ''} en {year}.")
        typer.echo(_text_table(table))
        return
    elapsed = time.perf_counter() - started
    typer.echo(f"Étude « {theme} » {year} écrite dans {output.folder} ({_seconds(elapsed)}) :")
    for name in output.files:
        typer.echo(f"  {name}")
    _echo_texts(output)
    if output.results.example:
        typer.echo("Attention : données fictives d'exemple (option --data pour vos données).")


def _study_arguments(arguments: list[str], listing: bool) -> tuple[str, str | None, int]:
    """ETUDE [IDENTIFIANT] ANNEE → (theme, identifier or None, year); usage errors in French."""
    def usage(message: str) -> None:
        _fail(f"Erreur d'utilisation{NBSP}: {message}.\nAide{NBSP}: panorama study --help", 2)

    theme, *rest = arguments
    if not rest:
        usage(f"année manquante ; par exemple panorama study {theme} 2019")
    if len(rest) > 2:
        usage(f"argument en trop : {' '.join(rest[1:-1])}")
    if listing and len(rest) == 2:
        usage(f"l'option --list ne prend pas d'identifiant (reçu : {rest[0]})")
    return theme, rest[0] if len(rest) == 2 else None, _year(rest[-1])


def _text_table(table) -> str:
    """A DataFrame as aligned text columns (numbers formatted and right-aligned)."""
    from pandas.api.types import is_numeric_dtype

    from panorama.core.formatting import fmt_int

    columns = []
    for name in table.columns:
        numeric = is_numeric_dtype(table[name])
        cells = [fmt_int(v) if numeric else str(v) for v in table[name]]
        width = max([len(name), *map(len, cells)])
        columns.append([(c.rjust if numeric else c.ljust)(width) for c in [name, *cells]])
    return "\n".join("  ".join(row).rstrip() for row in zip(*columns))


DEFAULT_WAREHOUSE = Path("entrepot.duckdb")
StoreOption = Annotated[Path, typer.Option(
    "--entrepot", "-e", metavar="FICHIER", help="Entrepôt de données DuckDB de l'observatoire (créé au besoin).")]


@app.command("importer", cls=_Command,
             short_help="Importe l'export d'un outil de suivi dans l'entrepôt de données.")
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FICHIER", help="Export de l'outil de suivi (.xlsx, .ods, .csv).")],
    profile: Annotated[Optional[Path], typer.Option(
        "--profil", "-p", metavar="PROFIL.toml",
        help="Profil d'import : en-têtes, libellés et formats de dates de l'export ; avec --modele, "
             "fichier où écrire le profil proposé.")] = None,
    source: Annotated[Optional[str], typer.Option(
        "--source", "-s", metavar="NOM", help="Nom de la source (la coordination), par exemple « coordination-93 » ; "
                                              "réimporter une source remplace ses données de l'année.")] = None,
    annee: Annotated[Optional[str], typer.Option("--annee", "-a", metavar="ANNEE", help="Année des données.")] = None,
    entrepot: StoreOption = DEFAULT_WAREHOUSE,
    cle: Annotated[Optional[Path], typer.Option(
        "--cle", metavar="FICHIER",
        help="Fichier de la clé secrète de pseudonymisation, gardé hors de l'entrepôt (sinon : variable "
             "PANORAMA_FICHIER_CLE ou PANORAMA_CLE).")] = None,
    modele: Annotated[bool, typer.Option(
        "--modele", help="Écrit un profil à compléter (en-têtes trouvés, correspondances proposées) "
                         "au lieu d'importer.")] = False,
) -> None:
    """Importe l'export d'un outil de suivi (« Clause », « ABC Clauses »…) d'une coordination dans
    l'entrepôt : lu selon son profil, découpé en cinq tables, pseudonymisé (noms et dates de
    naissance ne sont jamais conservés), validé, puis substitué aux données de la même source
    et de la même année en une seule transaction."""
    if modele:
        def write_model():
            from panorama.input.importer import model

            text = model(file)
            if profile is None:
                return text
            if profile.exists():
                _fail(f"Le profil {profile} existe déjà : choisir un autre nom pour le modèle.")
            profile.write_text(text, encoding="utf-8")
            return f"Profil à compléter écrit dans {profile}."

        typer.echo(_run(write_model))
        return
    if source is None or annee is None:
        _fail("Options --source et --annee obligatoires pour importer (ou --modele pour écrire un profil).", 2)

    def action():
        from panorama.input.importer import Profile, import_export, secret_key
        from panorama.input.warehouse import Warehouse

        return import_export(file, Warehouse(entrepot), source=source, year=_year(annee),
                             profile=Profile.load(profile), key=secret_key(cle))

    report = _run(action)
    from panorama.core.formatting import fmt_int

    counts = ", ".join(f"{fmt_int(n)} {table}" for table, n in report.rows.items())
    typer.echo(f"Source « {report.source} » {report.year} importée dans {entrepot} (import n° {report.import_id}) : "
               f"{counts}.")
    if report.ignored:
        typer.echo(f"Colonnes non importées (dont données personnelles) : {', '.join(report.ignored)}.")
    for warning in report.warnings[:10]:
        typer.echo(f"Attention : {warning}")
    if len(report.warnings) > 10:
        typer.echo(f"… et {len(report.warnings) - 10} autres avertissements.")


@app.command("importer-decp", cls=_Command,
             short_help="Importe les données essentielles de la commande publique (DECP) dans l'entrepôt.")
def import_decp_command(
    files: Annotated[list[Path], typer.Argument(
        metavar="FICHIER…", help="Fichiers DECP : JSON des schémas 2019 ou 2022, ou CSV tabulaire consolidé.")],
    entrepot: StoreOption = DEFAULT_WAREHOUSE,
) -> None:
    """Importe les marchés publics des DECP dans l'entrepôt (chaque fichier remplace son import
    précédent) ; les enregistrements non conformes au schéma sont comptés et signalés, les
    concessions écartées. Affiche, par année de notification, les marchés et la part portant une
    considération sociale (clause, critère, marché réservé) là où le schéma la renseigne."""
    def action():
        from panorama.compute.procurement import counts, notified
        from panorama.input.decp import import_decp
        from panorama.input.warehouse import Warehouse

        warehouse = Warehouse(entrepot)
        reads = import_decp(files, warehouse)
        years = sorted({m["annee"] for read in reads for m in read.marches})
        marches = warehouse.procurement(years[-1]) if years else None
        return reads, {year: counts(notified(marches, year)) for year in years}

    reads, years = _run(action)
    from panorama.core.formatting import fmt_int, fmt_pct

    for read in reads:
        line = (f"{read.file.name} (schéma {read.schema}) : {fmt_int(len(read.marches))} marchés importés, "
                f"{fmt_int(read.concessions)} concessions écartées, {fmt_int(read.nonconforming)} enregistrements "
                f"non conformes")
        if read.reasons:
            line += " (" + ", ".join(f"{reason} : {fmt_int(n)}" for reason, n in read.reasons.items()) + ")"
        if read.damaged:
            line += f", {fmt_int(read.damaged)} avec des caractères illisibles (encodage endommagé à la source)"
        typer.echo(line + ".")
    for year, figures in years.items():
        share = (f"{fmt_pct(figures['avec_consideration_sociale'] / figures['renseignes'])} avec une considération "
                 f"sociale parmi les {fmt_int(figures['renseignes'])} qui la renseignent"
                 if figures["renseignes"] else "considérations sociales non renseignées")
        typer.echo(f"{year} : {fmt_int(figures['marches'])} marchés notifiés ; {share}.")


warehouse_app = typer.Typer(cls=_Group, invoke_without_command=True, rich_markup_mode=None,
                            context_settings={"help_option_names": ["-h", "--help"]},
                            help="Montre ce que contient l'entrepôt de données, par année et par source.")
app.add_typer(warehouse_app, name="entrepot",
              short_help="Montre le contenu de l'entrepôt de données ; « exporter » en extrait une année.")


@warehouse_app.callback()
def warehouse_command(ctx: typer.Context, entrepot: StoreOption = DEFAULT_WAREHOUSE) -> None:
    """Montre ce que contient l'entrepôt : par année et par source, lignes de chaque table,
    complétude, dernier import, doublons fusionnés entre sources et conflits."""
    if ctx.invoked_subcommand is not None:
        return

    def action():
        import pandas as pd

        from panorama.input.warehouse import Warehouse, summary

        rows = summary(Warehouse(entrepot))
        table = pd.DataFrame([{
            "annee": str(r["annee"]), "source": r["source"], "operations": r["operations"],
            "contrats": r["contrats"], "participants": r["participants"], "entreprises": r["entreprises"],
            "donneurs_ordre": r["donneurs_ordre"], "completude": f"{round(100 * r['completude'])} %",
            "dernier_import": str(r["date_import"]), "fusionnes": r["fusionnes"], "conflits": r["conflits"]}
            for r in rows])
        return table

    table = _run(action)
    if table.empty:
        typer.echo(f"Entrepôt {entrepot} : vide.")
        return
    typer.echo(f"Entrepôt {entrepot} (fusionnes, conflits : pour l'année, toutes sources confondues) :")
    typer.echo(_text_table(table))


@warehouse_app.command("exporter", cls=_Command)
def warehouse_export_command(
    year: YearArgument,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DOSSIER",
                                      help="Dossier où écrire DOSSIER/ANNEE/TABLE.csv.")],
    entrepot: StoreOption = DEFAULT_WAREHOUSE,
) -> None:
    """Écrit l'année consolidée de l'entrepôt au format d'entrée (contrat v1), exactement ce
    que lisent les publications."""
    def action():
        from panorama.input.warehouse import Warehouse, export_year

        return export_year(Warehouse(entrepot), _year(year), out)

    files = _run(action)
    typer.echo(f"Année {year} de l'entrepôt écrite dans {out / year} :")
    for path in files:
        typer.echo(f"  {path.name}")


def _usage_error(message: str) -> str:
    for pattern, french in _USAGE_ERRORS:
        match = re.fullmatch(pattern, message.strip())
        if match:
            return french.format(*match.groups())
    return message


@contextlib.contextmanager
def _quiet_libraries():
    """Only the tool's French lines: the libraries' warnings and log messages (matplotlib's
    about its cache, say, in English) are dropped, unless ``PANORAMA_DEBUG=1``."""
    if os.environ.get("PANORAMA_DEBUG"):
        yield
        return
    drop = logging.NullHandler()  # the root logger has a handler: Python's last resort stays silent
    logging.getLogger().addHandler(drop)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.getLogger().removeHandler(drop)


def main() -> int:
    """Entry point of the ``panorama`` console script; returns the exit status."""
    try:
        with _quiet_libraries():
            return app(prog_name="panorama", standalone_mode=False) or 0
    except (typer.Abort, KeyboardInterrupt):
        typer.echo(INTERRUPTED, err=True)
        return 130
    except typer.TyperException as exc:  # the parser's usage errors
        ctx = getattr(exc, "ctx", None)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if ctx is not None and message == ctx.get_help():  # no argument at all: show the help
            typer.echo(message)
            return 0
        command = ctx.command_path if ctx is not None else "panorama"
        typer.echo(f"Erreur d'utilisation{NBSP}: {_usage_error(message)}.\nAide{NBSP}: {command} --help", err=True)
        return getattr(exc, "exit_code", 2)


if __name__ == "__main__":
    sys.exit(main())
