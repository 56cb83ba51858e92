"""French formatting, generated sentences and the configuration file."""

from __future__ import annotations

import datetime as dt

import pytest

from panorama.compose.commentary import (
    direction,
    evolution_text,
    fmt_points,
    leader_title,
    trend,
    women_title,
)
from panorama.core.config import Config, load_config
from panorama.core.errors import ConfigError
from panorama.core.formatting import (
    fmt_count,
    fmt_date,
    fmt_evolution,
    fmt_hours,
    fmt_int,
    fmt_pct,
)

NNBSP, NBSP = "\u202f", "\u00a0"


def test_french_numbers():
    assert fmt_hours(4_512_345.4) == f"4{NNBSP}512{NNBSP}345{NBSP}heures"
    assert fmt_hours(1) == f"1{NBSP}heure"
    assert fmt_int(12_978) == f"12{NNBSP}978"
    assert fmt_pct(0.151) == f"15,1{NBSP}%"
    assert fmt_evolution(0.0321) == f"+3,2{NBSP}%"
    assert fmt_evolution(-0.01) == f"\u22121,0{NBSP}%"
    assert fmt_evolution(-0.00001) == f"0,0{NBSP}%"
    assert fmt_count(2, "participant") == f"2{NBSP}participants"
    assert fmt_pct(float("nan")) == "n.d."
    assert fmt_date(dt.date(2020, 6, 15)) == "15 juin 2020"


def test_trend_wording():
    assert trend(0.105, 2018) == f"en hausse de 10,5{NBSP}% par rapport à 2018"
    assert trend(-0.2, 2018) == f"en baisse de 20,0{NBSP}% par rapport à 2018"
    assert trend(0.001, 2018) == "stable par rapport à 2018"
    assert trend(0.1, None) == ""
    assert trend(0.012, 2018, "part_femmes") == f"en hausse de 1,2{NBSP}point par rapport à 2018"
    assert trend(-0.025, 2018, "part_qpv") == f"en baisse de 2,5{NBSP}points par rapport à 2018"


def test_points_and_cards():
    assert fmt_points(0.012) == f"+1,2{NBSP}point"
    assert fmt_points(-0.0001) == f"0,0{NBSP}point"
    assert evolution_text("part_femmes", 0.02) == f"+2,0{NBSP}points"
    assert evolution_text("heures", 0.02) == f"+2,0{NBSP}%"
    assert direction(0.0001, "part_femmes") == "stable"
    assert direction(-0.1, "heures") == "baisse"
    assert direction(float("nan"), "heures") == ""


def test_titles_state_the_finding():
    assert women_title(0.151) == f"Les femmes restent minoritaires : 15,1{NBSP}% des participants"
    assert women_title(0.5).startswith("Une répartition proche de la parité")
    assert leader_title("Travaux", 0.69, "des heures", "repli") == f"Travaux : 69,0{NBSP}% des heures"
    assert leader_title("Travaux", 0.2, "des heures", "repli") == "repli"


def test_default_configuration_is_ile_de_france():
    config = load_config(None)
    assert config.region_dans == "en Île-de-France"
    assert config.departements == ("75", "77", "78", "91", "92", "93", "94", "95")
    assert config.etp_code == "etp_1820"


def test_configuration_file(tmp_path):
    (tmp_path / "textes").mkdir()
    path = tmp_path / "panorama.toml"
    path.write_text('[region]\nnom = "Hauts-de-France"\nprefixe = "dans les"\n'
                    'departements = ["02", "59", "60", "62", "80"]\nencart = []\n'
                    '[observatoire]\ndate_publication = 2020-06-15\n'
                    '[rapport]\netp_diviseur = 1607\ntextes = "textes"\n', encoding="utf-8")
    config = load_config(path)
    assert config == Config(region_nom="Hauts-de-France", region_prefixe="dans les",
                            departements=("02", "59", "60", "62", "80"), encart=(),
                            date_publication=dt.date(2020, 6, 15), etp_diviseur=1607, observatoire_porteur="",
                            textes=(tmp_path / "textes").resolve())
    assert config.region_dans == "dans les Hauts-de-France"


@pytest.mark.parametrize("content, message", [
    ("[region]\nnom = ", "fichier TOML illisible"),
    ("[region]\ncouleur = 'rouge'\n", "clé inconnue « region.couleur »"),
    ("[rapport]\netp_diviseur = 1500\n", "attendu 1607 ou 1820"),
    ("[rapport]\netp_diviseur = '1820'\n", "de type inattendu"),
])
def test_configuration_errors_are_french(tmp_path, content, message):
    path = tmp_path / "panorama.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_missing_configuration_file(tmp_path):
    with pytest.raises(ConfigError, match="introuvable"):
        load_config(tmp_path / "absent.toml")
