"""The nomenclatures: codes, labels, synonyms, départements."""

import pytest

from panorama.core import referential
from panorama.core.referential import (
    CONTRACT_GROUPS,
    DEPARTEMENTS,
    MODALITE_ARTICLES,
    NOMENCLATURES,
    SIAE_STRUCTURES,
    ambiguity,
    codes,
    departement_name,
    departement_of_commune,
    departement_sort_key,
    label,
    normalize,
    normalize_departement,
)


@pytest.mark.parametrize("value", [
    "art. 38", "Article 38", "article 14", "ART 14", "L2112-2", "L. 2112-2", "Article L2112-2",
    "Clause d'exécution", "clause d'insertion", "CLAUSE D'INSERTION", "  clause   d’exécution ",
    "art. 38 de l'ordonnance", "article 14 du CMP", "Clause d'insertion (condition d'exécution)",
    "CLAUSE_EXECUTION", "clause_execution"])
def test_execution_clause_synonyms(value):
    assert normalize("modalite", value) == "CLAUSE_EXECUTION"


@pytest.mark.parametrize(("value", "code"), [
    ("art. 53", "CRITERE_ATTRIBUTION"), ("article 62", "CRITERE_ATTRIBUTION"),
    ("R2152-7", "CRITERE_ATTRIBUTION"), ("critère d'attribution", "CRITERE_ATTRIBUTION"),
    ("décret art. 62", "CRITERE_ATTRIBUTION"),
    ("art 30", "MARCHE_INSERTION"), ("article 28", "MARCHE_INSERTION"), ("R2123-1", "MARCHE_INSERTION"),
    ("R2123-1 3°", "MARCHE_INSERTION"), ("marché d'insertion", "MARCHE_INSERTION"),
    ("L2113-13", "RESERVE_SIAE"), ("article 36-II", "RESERVE_SIAE"), ("marché réservé SIAE", "RESERVE_SIAE"),
    ("L2113-12", "RESERVE_HANDICAP"), ("art. 15", "RESERVE_HANDICAP"), ("article 36-I", "RESERVE_HANDICAP"),
    ("marché réservé EA/ESAT", "RESERVE_HANDICAP"),
    ("L2113-15", "RESERVE_ESS"), ("article 37", "RESERVE_ESS"), ("Marché réservé ESS", "RESERVE_ESS"),
    ("hors commande publique", "HORS_COMMANDE_PUBLIQUE"),
])
def test_modalite_synonyms(value, code):
    assert normalize("modalite", value) == code


@pytest.mark.parametrize("value", ["art. 36", "Article 36", "marché réservé"])
def test_ambiguous_modalities_are_not_guessed(value):
    assert normalize("modalite", value) is None
    assert "préciser" in ambiguity("modalite", value)


def test_every_article_of_the_glossary_maps_to_its_modality():
    for code, articles in MODALITE_ARTICLES.items():
        for article in articles:
            if article is not None:
                assert normalize("modalite", article) == code
    assert set(MODALITE_ARTICLES) == set(codes("modalite"))
    assert MODALITE_ARTICLES["CLAUSE_EXECUTION"].ccp_2019 == "L2112-2"
    assert MODALITE_ARTICLES["RESERVE_SIAE"].cmp_2006 is None


@pytest.mark.parametrize(("value", "code"), [
    ("V", "3"), ("CAP", "3"), ("BEP", "3"), ("niveau 3", "3"), ("niveau V", "3"),
    ("IV", "4"), ("bac", "4"), ("niveau 4", "4"),
    ("III", "5"), ("bac+2", "5"), ("BTS", "5"), ("Bac + 2", "5"),
    ("II", "6_PLUS"), ("I", "6_PLUS"), ("bac+3", "6_PLUS"), ("licence", "6_PLUS"), ("master", "6_PLUS"),
    ("6", "6_PLUS"), ("7", "6_PLUS"), ("8", "6_PLUS"),
    ("VI", "INFRA_3"), ("V bis", "INFRA_3"), ("Vbis", "INFRA_3"), ("infra V", "INFRA_3"),
    ("sans qualification", "INFRA_3"), ("niveau 1", "INFRA_3"), ("niveau 2", "INFRA_3"),
    ("inconnu", "INCONNU"), ("non renseigné", "INCONNU"), ("3", "3"), ("6_PLUS", "6_PLUS"),
])
def test_qualification_levels(value, code):
    assert normalize("niveau_qualification", value) == code


@pytest.mark.parametrize(("nomenclature", "value", "code"), [
    ("sexe", "Femme", "F"), ("sexe", "féminin", "F"), ("sexe", "f", "F"), ("sexe", "H", "M"),
    ("sexe", "Homme", "M"), ("sexe", "masculin", "M"),
    ("booleen", "Oui", "OUI"), ("booleen", "O", "OUI"), ("booleen", "1", "OUI"), ("booleen", "true", "OUI"),
    ("booleen", "VRAI", "OUI"), ("booleen", "x", "OUI"), ("booleen", "Non", "NON"), ("booleen", "n", "NON"),
    ("booleen", "0", "NON"), ("booleen", "false", "NON"), ("booleen", "Faux", "NON"),
    ("type_contrat", "intérim", "INTERIM"), ("type_contrat", "Interim d'insertion", "INTERIM_INSERTION"),
    ("type_contrat", "contrat de professionnalisation", "PROFESSIONNALISATION"),
    ("type_contrat", "contrat d'apprentissage", "APPRENTISSAGE"), ("type_contrat", "CDD d'insertion", "CDDI"),
    ("type_contrat", "mise à disposition", "MISE_A_DISPOSITION_AI"), ("type_contrat", "PEC", "CONTRAT_AIDE"),
    ("prescripteur", "Pôle emploi", "FRANCE_TRAVAIL"), ("prescripteur", "France Travail", "FRANCE_TRAVAIL"),
    ("prescripteur", "Mission locale", "MISSION_LOCALE"), ("prescripteur", "Cap emploi", "CAP_EMPLOI"),
    ("critere", "Demandeurs d'emploi de longue durée", "DELD"), ("critere", "bénéficiaire du RSA", "RSA"),
    ("critere", "jeune de moins de 26 ans", "JEUNE"), ("type_structure", "Entreprise d'insertion", "EI"),
    ("type_donneur_ordre", "Conseil départemental", "DEPARTEMENT"), ("type_donneur_ordre", "EPT", "EPCI"),
    ("nature", "Marché de travaux", "TRAVAUX"), ("secteur", "Nettoyage", "PROPRETE"),
    ("taille", "PME", "PME"), ("situation_sortie", "emploi durable", "EMPLOI_DURABLE"),
])
def test_usual_labels(nomenclature, value, code):
    assert normalize(nomenclature, value) == code


def test_every_code_and_label_maps_to_itself():
    for nomenclature, labels in NOMENCLATURES.items():
        for code, text in labels.items():
            assert normalize(nomenclature, code) == code
            assert normalize(nomenclature, code.lower()) == code
            assert normalize(nomenclature, text) == code
            assert normalize(nomenclature, text.upper()) == code


@pytest.mark.parametrize("value", ["", "   ", None, "n'importe quoi", "art."])
def test_blank_or_unknown_is_none(value):
    assert normalize("modalite", value) is None


def test_unknown_nomenclature_is_a_programming_error():
    with pytest.raises(KeyError):
        normalize("couleur", "bleu")
    with pytest.raises(KeyError):
        label("modalite", "PAS_UN_CODE")


def test_labels_and_codes():
    assert label("modalite", "MARCHE_INSERTION") == "Marché de services d'insertion et de qualification"
    assert label("modalite", "RESERVE_SIAE") == "Marché réservé aux SIAE"
    assert label("critere", "DELD") == "Demandeurs d'emploi de longue durée"
    assert label("niveau_qualification", "INFRA_3") == "Infra 3 (sans qualification)"
    assert label("sexe", referential.NON_RENSEIGNE) == "Non renseigné"
    assert codes("nature") == ("TRAVAUX", "SERVICES", "FOURNITURES")
    assert codes("niveau_qualification") == ("INFRA_3", "3", "4", "5", "6_PLUS", "INCONNU")
    assert codes("critere")[0] == "DELD"
    assert len(codes("secteur")) == 10 and len(codes("type_contrat")) == 11


def test_groups():
    assert CONTRACT_GROUPS["ALTERNANCE"] == ("APPRENTISSAGE", "PROFESSIONNALISATION", "GEIQ")
    assert CONTRACT_GROUPS["IAE"] == ("INTERIM_INSERTION", "MISE_A_DISPOSITION_AI", "CDDI")
    assert SIAE_STRUCTURES == ("EI", "ETTI", "AI", "ACI")
    for members in CONTRACT_GROUPS.values():
        assert set(members) <= set(codes("type_contrat"))


def test_departements():
    assert len(DEPARTEMENTS) == 101
    assert departement_name("93") == "Seine-Saint-Denis"
    assert departement_name("2A") == "Corse-du-Sud"
    assert departement_name("976") == "Mayotte"
    assert departement_name("20") is None and departement_name("975") is None
    assert list(DEPARTEMENTS)[:3] == ["01", "02", "03"]
    assert sorted(["971", "2B", "75", "01", "2A", "XX"], key=departement_sort_key) == \
        ["01", "2A", "2B", "75", "971", "XX"]
    assert normalize_departement("1") == "01"
    assert normalize_departement("2a") == "2A"
    assert normalize_departement(" 974 ") == "974"
    assert normalize_departement("20") is None and normalize_departement("99") is None


@pytest.mark.parametrize(("commune", "departement"), [
    ("93066", "93"), ("01053", "01"), ("2A004", "2A"), ("2b033", "2B"), ("97411", "974"), ("97611", "976"),
    ("97502", None), ("20004", None), ("9306", None), ("", None),
])
def test_departement_of_commune(commune, departement):
    assert departement_of_commune(commune) == departement
