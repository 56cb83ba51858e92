"""Command line: a thin French layer over :mod:`panorama.build` and
:mod:`panorama.validation`.

Heavy libraries (pandas, matplotlib, geopandas, WeasyPrint) are imported
inside the commands, so ``panorama --help`` answers at once. Data and
configuration problems print a French message and exit with status 1; an
unexpected failure prints a short French message (the traceback only with
``PANORAMA_DEBUG=1``) and exits with status 3.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import re

import typer
import typer.core

# typer's own words, in French (typer looks them up through gettext's ``_``).
_FRENCH = {
    "Options": "Options", "Arguments": "Arguments", "Commands": "Commandes",
    "required": "obligatoire", "default: {default}": "par défaut : {default}",
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


class _FrenchUsage:
    """Usage line and help option of typer's commands, in French."""

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix="Utilisation : ")

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
ConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", "-c", metavar="FICHIER",
    help="Fichier de configuration TOML (région, départements, observatoire…). "
         "Sans cette option : Île-de-France.")]
YearArgument = Annotated[str, typer.Argument(metavar="ANNEE", help="Année du panorama, par exemple 2019.")]


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        _fail(f"Année invalide : « {text} » ; attendu une année sur quatre chiffres, par exemple 2019.")
    return int(text)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _run(action):
    """Run ``action`` turning known errors into French messages and exit codes."""
    from panorama.errors import PanoramaError

    try:
        return action()
    except PanoramaError as exc:
        _fail(str(exc), 1)
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
        if os.environ.get("PANORAMA_DEBUG"):
            raise
        _fail(f"Erreur interne inattendue ({type(exc).__name__} : {exc}). "
              "Relancez avec PANORAMA_DEBUG=1 pour le détail et signalez-la aux mainteneurs.", 3)


@app.command("build", cls=_Command, short_help="Produit le panorama de l'année (PDF, HTML, données ouvertes).")
def build_command(
    year: YearArgument,
    data: DataOption = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="DOSSIER",
                                      help="Dossier de sortie ; le panorama va dans DOSSIER/ANNEE/.")] = Path("build"),
    config: ConfigOption = None,
    departements: Annotated[bool, typer.Option(
        "--departements", help="Produit la fiche de chaque département de la région (au lieu du panorama).")] = False,
    departement: Annotated[Optional[list[str]], typer.Option(
        "--departement", metavar="CODE",
        help="Produit la fiche d'un département (au lieu du panorama), par exemple --departement 93 ; "
             "option répétable.")] = None,
) -> None:
    """Produit le panorama de l'année : PDF, page HTML et données ouvertes ; ou les fiches départementales."""
    def action():
        from panorama.build import build, build_sheets

        if departements or departement:
            return build_sheets(_year(year), None if departements else departement, data, out, config,
                                progress=_progress)
        return build(_year(year), data, out, config, progress=_progress)

    started = time.perf_counter()
    output = _run(action)
    elapsed = time.perf_counter() - started
    what = "Fiches" if departements or departement else "Panorama"
    typer.echo(f"{what} {year} écrit{'es' if what == 'Fiches' else ''} dans {output.folder} ({_seconds(elapsed)}) :")
    for name in output.files:
        typer.echo(f"  {name}")
    if output.results.example:
        typer.echo("Attention : données fictives d'exemple (option --data pour vos données).")


def _seconds(elapsed: float) -> str:
    from panorama.formatting import fmt_number

    return f"{fmt_number(elapsed, 1)} s"


def _progress(message: str) -> None:
    typer.echo(f"… {message}", err=True)


@app.command("validate", cls=_Command)
def validate_command(year: YearArgument, data: DataOption = None) -> None:
    """Vérifie les données d'une année et affiche un bilan de qualité."""
    def action():
        from panorama.quality import summary
        from panorama.resources import example_data_root
        from panorama.validation import load_year

        root = data if data is not None else example_data_root()
        return summary(load_year(root, _year(year)).quality)

    typer.echo(_run(action))


def _usage_error(message: str) -> str:
    for pattern, french in _USAGE_ERRORS:
        match = re.fullmatch(pattern, message.strip())
        if match:
            return french.format(*match.groups())
    return message


def main() -> int:
    """Entry point of the ``panorama`` console script; returns the exit status."""
    try:
        return app(prog_name="panorama", standalone_mode=False) or 0
    except typer.Abort:
        typer.echo("Interrompu.", err=True)
        return 130
    except typer.TyperException as exc:  # the parser's usage errors
        ctx = getattr(exc, "ctx", None)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if ctx is not None and message == ctx.get_help():  # no argument at all: show the help
            typer.echo(message)
            return 0
        command = ctx.command_path if ctx is not None else "panorama"
        typer.echo(f"Erreur d'utilisation : {_usage_error(message)}.\nAide : {command} --help", err=True)
        return getattr(exc, "exit_code", 2)


if __name__ == "__main__":
    sys.exit(main())
