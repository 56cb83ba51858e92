"""Configuration: one TOML file, defaults for Île-de-France.

Nothing regional is hard-coded elsewhere: the region's name, its départements,
the observatory, the headline ETP divisor, the colours, the logo and the folder
of editorial Markdown texts all come from here.

Example ``panorama.toml`` (every key is optional)::

    [region]
    nom = "Île-de-France"
    prefixe = "en"                       # « en Île-de-France »
    departements = ["75", "77", "78", "91", "92", "93", "94", "95"]
    encart = ["75", "92", "93", "94"]    # drawn enlarged beside the map

    [observatoire]
    nom = "Observatoire régional des clauses sociales"
    porteur = "GIP Maximilien – MACS"
    logo = "logo.png"                    # relative to this file
    date_publication = "2020-06-15"

    [rapport]
    etp_diviseur = 1820                  # 1820 or 1607: the headline ETP
    textes = "textes"                    # folder of Markdown texts
    couleur_principale = "#1f4e79"
    pdf_archive = false                  # true: PDF/A-3u files, for long-term archiving

    [secret]                             # statistical confidentiality (panorama.confidentiality)
    seuil = 5                            # fewest participants a published cell may count
    entreprises_min = 3                  # fewest companies in a cell of hours by structure type
    dominance = 0.85                     # largest share of a cell's hours one company may have
    protection = 5                       # narrowest interval of a suppressed count (default: seuil)
    protection_heures = 0.10             # narrowest interval of suppressed hours, share of the value
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from panorama.confidentiality import Rule
from panorama.errors import ConfigError

IDF_DEPARTEMENTS = ("75", "77", "78", "91", "92", "93", "94", "95")


@dataclass(frozen=True)
class Config:
    """Every setting the build reads. Build one with :func:`load_config`."""

    region_nom: str = "Île-de-France"
    region_prefixe: str = "en"
    departements: tuple[str, ...] = IDF_DEPARTEMENTS
    encart: tuple[str, ...] = ("75", "92", "93", "94")
    observatoire_nom: str = "Observatoire régional des clauses sociales"
    observatoire_porteur: str = "GIP Maximilien – Mission d'appui au développement des clauses sociales (MACS)"
    logo: Path | None = None
    date_publication: _dt.date | None = None
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
        return f"{self.region_prefixe} {self.region_nom}".strip()

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
    ("observatoire", "nom"): ("observatoire_nom", str),
    ("observatoire", "porteur"): ("observatoire_porteur", str),
    ("observatoire", "logo"): ("logo", str),
    ("observatoire", "date_publication"): ("date_publication", _dt.date),
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

    Raises :class:`~panorama.errors.ConfigError` with a French message on an
    unreadable file, an unknown key or a value of the wrong type.
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
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ConfigError(f"{path} : « {section}.{key} » a la valeur {value!r}, de type inattendu.")
            values[name] = value
    for name in ("departements", "encart"):
        if name in values:
            values[name] = tuple(str(code) for code in values[name])  # type: ignore[union-attr]
    for name in ("logo", "textes"):
        if name in values:
            values[name] = (path.parent / str(values[name])).resolve()
    if values.get("etp_diviseur", 1820) not in (1607, 1820):
        raise ConfigError(f"{path} : « rapport.etp_diviseur » vaut {values['etp_diviseur']}, attendu 1607 ou 1820.")
    return Config(**values)  # type: ignore[arg-type]
