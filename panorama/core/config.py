"""Configuration: one TOML file, defaults for Île-de-France.

Nothing regional is hard-coded elsewhere: the region's name, its départements,
the observatory, the headline ETP divisor, the colours, the logo and the folder
of editorial Markdown texts all come from here.

Example ``panorama.toml`` (every key is optional)::

    [region]
    nom = "Île-de-France"
    prefixe = "en"                       # « en Île-de-France » (by default, the usual one of the region)
    departements = ["75", "77", "78", "91", "92", "93", "94", "95"]   # or integers: [2, 59, 60]
    encart = ["75", "92", "93", "94"]    # drawn enlarged beside the map
    hors_region = "erreur"               # operations elsewhere: "erreur", or "exclure" (counted, reported)

    [observatoire]
    nom = "Observatoire régional des clauses sociales"
    porteur = "GIP Maximilien – MACS"
    logo = "logo.png"                    # relative to this file
    date_publication = "2020-06-15"
    directeur_publication = "Prénom Nom, directrice"   # the colophon (last page), all optional
    contact = "observatoire@exemple.fr"
    site = "https://observatoire.exemple.fr"
    donnees = "https://www.data.gouv.fr/…"          # address of the open data
    partenaires = ["Région", "État (DREETS)"]
    financement = "Avec le soutien du Fonds social européen (FSE+)."

    [rapport]
    etp_diviseur = 1820                  # 1820 or 1607: the headline ETP
    textes = "textes"                    # folder of Markdown texts
    couleur_principale = "#1f4e79"
    pdf_archive = false                  # true: PDF/A-3u files, for long-term archiving

    [secret]                             # statistical confidentiality (panorama.protect.confidentiality)
    seuil = 5                            # fewest participants a published cell may count
    entreprises_min = 3                  # fewest companies in a cell of hours by structure type
    dominance = 0.85                     # largest share of a cell's hours one company may have
    protection = 5                       # narrowest interval of a suppressed count (default: seuil)
    protection_heures = 0.10             # narrowest interval of suppressed hours, share of the value

The file is checked whole before any data is read: every key known and of its type,
départements known (strings or integers), the inset among them, dates, colours and
paths valid; each problem is a French message naming the key.
"""

from __future__ import annotations

import datetime as _dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from panorama.core import referential
from panorama.core.errors import ConfigError

IDF_DEPARTEMENTS = ("75", "77", "78", "91", "92", "93", "94", "95")
HORS_REGION = ("erreur", "exclure")
"""What to do with operations outside the configured départements: stop with an error
naming them, or exclude them (counted and reported)."""
LOGO_FORMATS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
"""The logo's accepted file suffixes and their media types (the HTML inlines it)."""


@dataclass(frozen=True)
class Rule:
    """The confidentiality rule (``[secret]`` section of the configuration)."""

    seuil: int = 5
    entreprises_min: int = 3
    dominance: float = 0.85
    protection: float | None = None  # default: seuil
    protection_heures: float = 0.10

    @property
    def protection_participants(self) -> float:
        """Minimal width of the interval of a suppressed participant count."""
        return float(self.seuil if self.protection is None else self.protection)


@dataclass(frozen=True)
class Config:
    """Every setting the build reads. Build one with :func:`load_config`."""

    region_nom: str = "Île-de-France"
    region_prefixe: str = ""
    """Locative before the region's name; empty: the usual one (:func:`referential.region_in`)."""
    departements: tuple[str, ...] = IDF_DEPARTEMENTS
    encart: tuple[str, ...] = ("75", "92", "93", "94")
    hors_region: str = "erreur"
    observatoire_nom: str = "Observatoire régional des clauses sociales"
    observatoire_porteur: str = "GIP Maximilien – Mission d'appui au développement des clauses sociales (MACS)"
    """The observatory's publisher (the default: Île-de-France's; none for another region
    unless the file names one)."""
    logo: Path | None = None
    date_publication: _dt.date | None = None
    directeur_publication: str = ""
    contact: str = ""
    site: str = ""
    donnees_url: str = ""
    partenaires: tuple[str, ...] = ()
    financement: str = ""
    licence: str = "Licence Ouverte 2.0 (Etalab)"
    etp_diviseur: int = 1820
    textes: Path | None = None
    couleur_principale: str = "#1f4e79"
    pdf_archive: bool = False
    secret_seuil: int = 5
    secret_entreprises_min: int = 3
    secret_dominance: float = 0.85
    secret_protection: float | None = None
    secret_protection_heures: float = 0.10
    source: Path | None = field(default=None, compare=False)

    @property
    def region_dans(self) -> str:
        """« en Île-de-France », « dans les Hauts-de-France »."""
        if self.region_prefixe:
            return f"{self.region_prefixe} {self.region_nom}".strip()
        return referential.region_in(self.region_nom)

    @property
    def rule(self) -> Rule:
        """The statistical confidentiality rule."""
        return Rule(seuil=self.secret_seuil, entreprises_min=self.secret_entreprises_min,
                    dominance=self.secret_dominance, protection=self.secret_protection,
                    protection_heures=self.secret_protection_heures)

    @property
    def etp_code(self) -> str:
        """Indicator code of the headline ETP (``etp_1820`` or ``etp_1607``)."""
        return f"etp_{self.etp_diviseur}"


_KEYS = {
    ("region", "nom"): ("region_nom", str),
    ("region", "prefixe"): ("region_prefixe", str),
    ("region", "departements"): ("departements", list),
    ("region", "encart"): ("encart", list),
    ("region", "hors_region"): ("hors_region", str),
    ("observatoire", "nom"): ("observatoire_nom", str),
    ("observatoire", "porteur"): ("observatoire_porteur", str),
    ("observatoire", "logo"): ("logo", str),
    ("observatoire", "date_publication"): ("date_publication", _dt.date),
    ("observatoire", "directeur_publication"): ("directeur_publication", str),
    ("observatoire", "contact"): ("contact", str),
    ("observatoire", "site"): ("site", str),
    ("observatoire", "donnees"): ("donnees_url", str),
    ("observatoire", "partenaires"): ("partenaires", list),
    ("observatoire", "financement"): ("financement", str),
    ("rapport", "licence"): ("licence", str),
    ("rapport", "etp_diviseur"): ("etp_diviseur", int),
    ("rapport", "textes"): ("textes", str),
    ("rapport", "couleur_principale"): ("couleur_principale", str),
    ("rapport", "pdf_archive"): ("pdf_archive", bool),
    ("secret", "seuil"): ("secret_seuil", int),
    ("secret", "entreprises_min"): ("secret_entreprises_min", int),
    ("secret", "dominance"): ("secret_dominance", float),
    ("secret", "protection"): ("secret_protection", float),
    ("secret", "protection_heures"): ("secret_protection_heures", float),
}


def load_config(path: Path | None) -> Config:
    """Read the TOML file at ``path`` (``None``: the Île-de-France defaults).

    Raises :class:`~panorama.core.errors.ConfigError` with a French message naming the key on
    an unreadable file, an unknown key, a value of the wrong type or out of its range, an
    unknown département, a missing folder of texts or logo.
    """
    if path is None:
        return Config()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path} : fichier de configuration introuvable.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} : fichier TOML illisible ({exc}).") from None
    values: dict[str, object] = {"source": path}
    for section, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path} : « {section} » doit être une section [{section}].")
        for key, value in table.items():
            if (section, key) not in _KEYS:
                known = ", ".join(f"{s}.{k}" for s, k in _KEYS)
                raise ConfigError(f"{path} : clé inconnue « {section}.{key} » (clés possibles : {known}).")
            name, kind = _KEYS[(section, key)]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if kind is _dt.date and isinstance(value, str):
                value = _date(path, f"{section}.{key}", value)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ConfigError(f"{path} : « {section}.{key} » a la valeur {value!r}, de type inattendu "
                                  f"(attendu : {_KIND_NAMES[kind]}).")
            values[name] = value
    if "partenaires" in values:
        values["partenaires"] = tuple(str(partner) for partner in values["partenaires"])  # type: ignore[union-attr]
    for name, key in (("departements", "region.departements"), ("encart", "region.encart")):
        if name in values:
            values[name] = _departements(path, key, values[name])  # type: ignore[arg-type]
    _check(path, values)
    if not _ile_de_france(values):  # nothing of Île-de-France's unless the file says so
        values.setdefault("observatoire_porteur", "")
        values.setdefault("encart", ())
    return Config(**values)  # type: ignore[arg-type]


def _ile_de_france(values: dict[str, object]) -> bool:
    """Whether the region configured is Île-de-France (the defaults' region)."""
    return (values.get("region_nom", Config.region_nom) == Config.region_nom
            and tuple(values.get("departements", IDF_DEPARTEMENTS)) == IDF_DEPARTEMENTS)  # type: ignore[arg-type]


_KIND_NAMES = {str: "un texte entre guillemets", list: "une liste entre crochets", int: "un nombre entier",
               float: "un nombre", bool: "true ou false", _dt.date: "une date AAAA-MM-JJ"}


def _date(path: Path, key: str, text: str) -> _dt.date:
    """A date written as a string (« 2020-06-15 »)."""
    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{path} : « {key} » vaut « {text} », qui n'est pas une date ; attendu une date "
                          f"AAAA-MM-JJ, par exemple 2020-06-15.") from None


def _departements(path: Path, key: str, codes: list) -> tuple[str, ...]:
    """Département codes written as strings or integers (« 2 » or ``2`` for « 02 »), each known."""
    found = []
    for code in codes:
        if isinstance(code, bool) or not isinstance(code, (str, int)):
            raise ConfigError(f"{path} : « {key} » contient {code!r} ; attendu des codes de département, "
                              f"par exemple [\"02\", \"59\", \"2A\"] ou [2, 59, 60].")
        normal = referential.normalize_departement(code)
        if normal is None:
            raise ConfigError(f"{path} : « {key} » contient « {code} », qui n'est pas un code de département "
                              f"connu (par exemple « 02 », « 59 », « 2A », « 971 »).")
        if normal in found:
            raise ConfigError(f"{path} : « {key} » contient deux fois le département « {normal} ».")
        found.append(normal)
    return tuple(found)


def _check(path: Path, values: dict[str, object]) -> None:
    """The checks across keys, and of the values' ranges (French messages naming the key)."""
    if "departements" in values and not values["departements"]:
        raise ConfigError(f"{path} : « region.departements » est vide ; attendu au moins un département.")
    departements = values.get("departements", IDF_DEPARTEMENTS)
    outside = [code for code in values.get("encart", ()) if code not in departements]  # type: ignore[union-attr]
    if outside:
        raise ConfigError(f"{path} : « region.encart » contient {', '.join(outside)}, hors de "
                          f"« region.departements » ({', '.join(departements)}).")  # type: ignore[arg-type]
    if values.get("hors_region", "erreur") not in HORS_REGION:
        raise ConfigError(f"{path} : « region.hors_region » vaut « {values['hors_region']} », attendu "
                          f"« erreur » ou « exclure ».")
    if values.get("etp_diviseur", 1820) not in (1607, 1820):
        raise ConfigError(f"{path} : « rapport.etp_diviseur » vaut {values['etp_diviseur']}, attendu 1607 ou 1820.")
    colour = values.get("couleur_principale")
    if colour is not None and not re.fullmatch(r"#[0-9A-Fa-f]{6}", str(colour)):
        raise ConfigError(f"{path} : « rapport.couleur_principale » vaut « {colour} » ; attendu une couleur "
                          f"#RRVVBB en hexadécimal, par exemple « #1f4e79 ».")
    for name, key, low, high in (("secret_seuil", "secret.seuil", 1, None),
                                 ("secret_entreprises_min", "secret.entreprises_min", 1, None),
                                 ("secret_dominance", "secret.dominance", 0, 1),
                                 ("secret_protection", "secret.protection", 0, None),
                                 ("secret_protection_heures", "secret.protection_heures", 0, 1)):
        value = values.get(name)
        if value is not None and (value < low or (high is not None and value > high)):  # type: ignore[operator]
            bounds = f"entre {low} et {high}" if high is not None else f"au moins {low}"
            raise ConfigError(f"{path} : « {key} » vaut {value} ; attendu {bounds}.")
    for name, key in (("logo", "observatoire.logo"), ("textes", "rapport.textes")):
        if name in values:
            values[name] = found = (path.parent / str(values[name])).resolve()
            if name == "textes" and not found.is_dir():
                raise ConfigError(f"{path} : « {key} » : dossier introuvable ({found}).")
            if name == "logo" and (not found.is_file() or found.suffix.lower() not in LOGO_FORMATS):
                raise ConfigError(f"{path} : « {key} » : logo introuvable ou de format non pris en charge "
                                  f"({found} ; PNG, JPEG ou SVG attendu).")
    return Config(**values)  # type: ignore[arg-type]
