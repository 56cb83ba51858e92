"""Indicators: pure functions from a validated :class:`~panorama.input.dataset.Dataset`
to tidy tables (``../shared/spec/indicators.md``).

Every figure is computed for every perimeter of a declared hierarchy at once
(:class:`panorama.compute.perimeters.Hierarchy`): each contract counts under the
perimeter ``region`` and under the département of its operation (perimeter rule: a
contract belongs to the département where its operation is executed). The attributes
are coded as integers once, and each indicator is a count or a sum over the cells
``perimeter × code`` (see :class:`_CodedFacts`). Populations of contracts compared by
the studies (women and men of several years…) are roots of the same kind of hierarchy
and computed in one pass too (:func:`population_breakdowns`,
:func:`population_key_figures`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from panorama.compute import geo
from panorama.compute.perimeters import REGION, Hierarchy
from panorama.core import catalogue, referential
from panorama.input.dataset import Dataset

NON_RENSEIGNE = "NON_RENSEIGNE"
ETP_DIVISORS = (1607, 1820)


def age_band(age: pd.Series) -> pd.Series:
    """Age band code: ``MOINS_26`` (≤ 25), ``26_49``, ``50_PLUS`` (≥ 50)."""
    codes = np.array([code for code, _ in catalogue.AGE_BANDS], dtype=object)
    return pd.Series(codes[np.select([age <= 25, age >= 50], [0, 2], 1)], index=age.index, dtype=object)


def _band_index(values: np.ndarray, bands) -> np.ndarray:
    """Index of the band ``[low, high)`` of each value, -1 outside every band (or missing)."""
    edges = np.array([low for low, *_ in bands] + [np.inf])
    index = np.searchsorted(edges, values, side="right") - 1
    return np.where(index < len(bands), index, -1)


def _band(values: pd.Series, bands) -> pd.Series:
    """Band code of each value (missing outside every band)."""
    codes = np.array([code for _, _, code, _ in bands] + [np.nan], dtype=object)
    return pd.Series(codes[_band_index(values.to_numpy(dtype=float), bands)], index=values.index, dtype=object)


def fact_table(ds: Dataset) -> pd.DataFrame:
    """One row per contract of the year with every attribute a breakdown needs.

    Columns: the contract's own, its operation's (``departement``, ``modalite``,
    ``nature``, ``secteur``, ``grand_projet``, ``type_donneur_ordre``), its
    company's ``type_structure`` and ``taille_entreprise``, its participant's (``sexe``, ``tranche_age``,
    ``age_quinquennal``, ``niveau_qualification``, ``critere_principal``, ``publics``,
    ``prescripteur``, ``situation_sortie``, ``departement_residence``, ``qpv``)
    and the derived ``groupe_contrat`` and ``duree_contrat``.

    Computed once per dataset (the panorama and every study of an edition read the
    same years): the frame is shared while the dataset lives, never modify it.
    """
    key = id(ds)
    if key not in _FACT_TABLES:
        _FACT_TABLES[key] = _fact_table(ds)
        weakref.finalize(ds, _FACT_TABLES.pop, key, None)
    return _FACT_TABLES[key]


#: :func:`fact_table` of each living dataset, by its ``id``.
_FACT_TABLES: dict[int, pd.DataFrame] = {}


def _fact_table(ds: Dataset) -> pd.DataFrame:
    """:func:`fact_table`, computed."""
    people = ds.participants[["participant_id", "sexe", "annee_naissance", "niveau_qualification",
                              "critere_principal", "publics", "prescripteur", "situation_sortie",
                              "commune_residence", "qpv"]]
    age = ds.year - people["annee_naissance"]
    people["tranche_age"] = age_band(age)
    people["age_quinquennal"] = _band(age, catalogue.FIVE_YEAR_AGE_BANDS)
    people["departement_residence"] = _departements_of_communes(people["commune_residence"])
    # OUI, NON or missing taken by position: no string built per participant
    qpv = np.select([people["qpv"].isna(), people["qpv"].fillna(False)], [2, 0], 1)
    people["qpv"] = np.array(["OUI", "NON", None], dtype=object)[qpv]
    contracts = ds.contrats[["contrat_id", "operation_id", "participant_id", "entreprise_id",
                             "type_contrat", "date_debut", "date_fin", "heures"]].reset_index(drop=True)
    operations = operations_frame(ds)[["operation_id", "donneur_ordre_id", "departement", "commune", "modalite",
                                        "nature", "secteur", "grand_projet", "type_donneur_ordre"]]
    facts = pd.concat([contracts,
                       _lookup(operations, contracts["operation_id"]),
                       _lookup(ds.entreprises[["entreprise_id", "type_structure", "taille"]]
                               .rename(columns={"taille": "taille_entreprise"}), contracts["entreprise_id"]),
                       _lookup(people.drop(columns=["annee_naissance", "commune_residence"]),
                               contracts["participant_id"], nearly_unique=True)], axis=1)
    groups = referential.CONTRACT_GROUPS
    group = np.select([facts["type_contrat"].isin(groups["IAE"]), facts["type_contrat"].isin(groups["ALTERNANCE"])],
                      [0, 1], 2)  # taken by position as above
    facts["groupe_contrat"] = pd.array(["IAE", "ALTERNANCE", "AUTRE"], dtype="str").take(group)
    days = (facts["date_fin"] - facts["date_debut"]).dt.days + 1
    facts["duree_contrat"] = _band(days, catalogue.DURATION_BANDS).where(facts["date_fin"].notna(),
                                                                       catalogue.EN_COURS[0])
    return facts


def _lookup(table: pd.DataFrame, keys: pd.Series, nearly_unique: bool = False) -> pd.DataFrame:
    """The other columns of ``table`` for each of ``keys``, values of its first column (a
    unique key), aligned on ``keys``: a many-to-one left merge (missing values for an
    unknown key) done by position, the table's keys and ``keys`` identified together
    (:func:`_identify`)."""
    count = len(table)
    codes = _identify(np.concatenate([table.iloc[:, 0].to_numpy(), keys.to_numpy()]), nearly_unique)
    position = np.full(codes.max(initial=-1) + 1, -1)
    position[codes[:count]] = np.arange(count)
    if np.count_nonzero(position >= 0) != count:
        raise ValueError(f"identifiants en double dans la colonne {table.columns[0]}")
    return table.iloc[:, 1:].reset_index(drop=True).reindex(position[codes[count:]]).set_axis(keys.index)


def _identify(values: np.ndarray, nearly_unique: bool = False) -> np.ndarray:
    """Identifiers as integers ``0 … k − 1``, equal for equal values. Hashing them
    (``pd.factorize``) is fastest when each value comes many times (operations,
    companies); when nearly every value is distinct (participants), its table outgrows
    the processor's cache past a million values and sorting them (Arrow) is faster."""
    if nearly_unique:
        return pc.rank(pa.array(values, type=pa.string()), tiebreaker="dense").to_numpy().astype(np.int64) - 1
    return pd.factorize(values, use_na_sentinel=False)[0]


def operations_frame(ds: Dataset) -> pd.DataFrame:
    """The year's operations with the type of their buyer (``type_donneur_ordre``)."""
    buyers = ds.donneurs_ordre[["donneur_ordre_id", "type"]].rename(columns={"type": "type_donneur_ordre"})
    operations = ds.operations.reset_index(drop=True)
    return pd.concat([operations, _lookup(buyers, operations["donneur_ordre_id"])], axis=1)


def _departements_of_communes(communes: pd.Series) -> pd.Series:
    """:func:`referential.departement_of_commune` of each commune (computed once per distinct code)."""
    codes, distinct = pd.factorize(communes)
    names = np.array([referential.departement_of_commune(code) for code in distinct] + [None], dtype=object)
    return pd.Series(names[codes], index=communes.index)


def _encode(*columns: pd.Series) -> tuple[list[np.ndarray], np.ndarray]:
    """Integer codes of the values of ``columns`` in one code space, and the values coded;
    a missing value is coded as :data:`NON_RENSEIGNE`. Codes use the smallest integer type."""
    factorized = [pd.factorize(column) for column in columns]
    values = np.array(list(dict.fromkeys([value for _, distinct in factorized for value in distinct]
                                         + [NON_RENSEIGNE])), dtype=object)
    position = {value: i for i, value in enumerate(values)}
    dtype = np.min_scalar_type(-len(values))
    # code -1 (missing) picks the last item: NON_RENSEIGNE's position
    return [np.array([position[value] for value in distinct] + [position[NON_RENSEIGNE]], dtype=dtype)[codes]
            for codes, distinct in factorized], values


def _distinct(cells: np.ndarray, ids: np.ndarray, size: int) -> np.ndarray:
    """Number of distinct ``ids`` in each cell ``0 … size − 1``: the pairs (id, cell) are
    sorted as integers and the first of each run counted."""
    pairs = np.sort(ids.astype(np.int64) * size + cells)
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    return np.bincount(pairs[first] % size, minlength=size)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, NaN where the denominator is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / denominator, np.nan)


@dataclass
class _Cells:
    """Figures of the cells ``perimeter × code`` of a breakdown, as arrays of one row per
    perimeter and one column per code; ``values[i]`` gives the code of the ``i``-th
    dimension of a cross-tab for each column."""

    values: list[np.ndarray]
    heures: np.ndarray
    contrats: np.ndarray
    participants: np.ndarray
    operations: np.ndarray | None = None
    entreprises: np.ndarray | None = None
    max_entreprise: np.ndarray | None = None

    def of(self, figure: str, code: str) -> np.ndarray:
        """``figure`` of the cells of ``code`` (a single dimension's), one value per perimeter."""
        return getattr(self, figure)[:, self.values[0] == code].sum(axis=1)


class _CodedFacts:
    """The fact table coded as integers, with the perimeters its rows count in.

    The perimeters are a :class:`~panorama.compute.perimeters.Hierarchy`: the region
    (perimeter 0) and the départements found below it; or, for ``populations`` (rows
    of several populations stacked, ``population`` giving each row's and
    ``op_population`` each operation's), one such tree per population, only the
    populations' roots being published. A contract (one row) is assigned to the
    département of its operation (``local``; the root when it has none) and counts in
    it and its ancestors. Instead of stacking the rows, a sum or count over the cells
    ``perimeter × code`` of coded attributes is one ``np.bincount`` over the perimeters
    rows are assigned to, a parent's cells being added up from its children's
    (:meth:`Hierarchy.add_up`); only what does not add up (participants and companies
    counted once per cell) looks at the rows under every perimeter
    (:meth:`Hierarchy.stack`). The operations are coded the same way for the counts
    of operations.
    """

    def __init__(self, facts: pd.DataFrame, operations: pd.DataFrame, populations: list[str] | None = None,
                 population: np.ndarray | None = None, op_population: np.ndarray | None = None):
        self.facts, self.operations = facts, operations
        self._coded: dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray]] = {}
        self._ids: dict[str, np.ndarray] = {}
        self._within_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        departements, op_departements, values = self._codes("departement")
        known = values != NON_RENSEIGNE
        child = np.where(known, np.cumsum(known), 0)  # 0: no département (the root)
        self.tree = Hierarchy.populations(populations or [REGION], list(values[known]))
        self.names = np.array(self.tree.names, dtype=object)
        self.published = self.tree.roots if populations else np.ones(self.size, dtype=bool)
        self.local = self.tree.node(np.zeros(len(facts), np.int64) if population is None else population,
                                    child[departements])
        self.op_local = self.tree.node(np.zeros(len(operations), np.int64) if op_population is None
                                       else op_population, child[op_departements])
        self.hours = facts["heures"].to_numpy(dtype=float)
        # Rows under every perimeter, for the figures that do not add up from the départements'
        self.rows, self.perimeter = self.tree.stack(self.local, np.arange(len(facts)))
        # A participant counts once per cell: only the rows of participants with several
        # contracts may count twice, and only they are sorted to find out.
        participant = self.ids("participant_id")
        self._shared, self._shared_perimeter = self.tree.stack(
            self.local, np.flatnonzero(np.bincount(participant)[participant] > 1))

    @property
    def size(self) -> int:
        """Number of perimeters."""
        return len(self.names)

    def ids(self, key: str) -> np.ndarray:
        """The fact-table column ``key`` (identifiers) as integers ``0 … n − 1``."""
        if key not in self._ids:
            self._ids[key] = _identify(self.facts[key].to_numpy(), nearly_unique=key == "participant_id")
        return self._ids[key]

    def _codes(self, column: str) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """Codes of a fact-table column for each row and, for an operation's attribute (a
        column of the operations too), each operation; and the values coded."""
        if column not in self._coded:
            describes_operation = column in self.operations
            codes, coded = _encode(self.facts[column], *([self.operations[column]] if describes_operation else []))
            self._coded[column] = (codes[0], codes[1] if describes_operation else None, coded)
        return self._coded[column]

    def _add_up(self, cells: np.ndarray, width: int, weights: np.ndarray | None = None) -> np.ndarray:
        """Sums of ``weights`` (counts if none) per cell ``perimeter × code`` from the cells of
        the perimeters the rows are assigned to (``local``), added up the hierarchy."""
        return self.tree.add_up(np.bincount(cells, weights, minlength=self.size * width).reshape(self.size, width))

    def cells(self, columns: list[str], operations: bool = False, firms: bool = False) -> _Cells:
        """Hours, contracts and participants of every cell ``perimeter × code`` of ``columns``
        (a cross-tab when two; the perimeters' totals when none); with ``operations``
        (operation attributes only), the operations of each cell; with ``firms``, the
        number of companies of each cell and the hours of the busiest one.

        ``public`` is the participant's main criterion and every one of the publics met;
        ``tranche_heures`` the band of the participant's hours in the perimeter.
        """
        if columns == ["public"]:
            return self._publics()
        if columns == ["tranche_heures"]:
            return self._hour_bands()
        codes = np.zeros(len(self.facts), dtype=np.int64)
        op_codes = np.zeros(len(self.operations), dtype=np.int64)
        values: list[np.ndarray] = []
        width = 1
        for column in columns:
            row_codes, operation_codes, coded = self._codes(column)
            codes = codes * len(coded) + row_codes
            if operations:
                op_codes = op_codes * len(coded) + operation_codes
            values = [np.repeat(v, len(coded)) for v in values] + [np.tile(coded, width)]
            width *= len(coded)
        cells = self.local * width + codes
        contrats = self._add_up(cells, width)
        shared = self._shared_perimeter * width + codes[self._shared]
        twice = (np.bincount(shared, minlength=self.size * width)
                 - _distinct(shared, self.ids("participant_id")[self._shared], self.size * width))
        out = _Cells(values or [np.array([None], dtype=object)], self._add_up(cells, width, self.hours),
                     contrats, contrats - twice.reshape(self.size, width))
        if operations:
            out.operations = self._add_up(self.op_local * width + op_codes, width)
        if firms:
            out.entreprises, out.max_entreprise = self._firms(codes, width)
        return out

    def _within(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Entity ``key`` in each perimeter (a person: a participant in a perimeter…) as an
        integer for each row under every perimeter (``rows``), and the perimeter of each."""
        if key not in self._within_cache:
            ids = self.ids(key)
            count = ids.max(initial=-1) + 1
            group, keys = _groups(self.perimeter * count + ids[self.rows])
            self._within_cache[key] = (group, keys // count)
        return self._within_cache[key]

    def _firms(self, codes: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Companies of each cell and hours of the busiest, as tables: hours are summed in a
        dense table (company in a perimeter) × code, then counted and maxed per cell."""
        firm, perimeter = self._within("entreprise_id")
        slots = firm * width + codes[self.rows]
        hours = np.bincount(slots, self.hours[self.rows], minlength=len(perimeter) * width)
        present = np.bincount(slots, minlength=len(perimeter) * width) > 0
        cells = (perimeter[:, None] * width + np.arange(width)).ravel()[present]
        busiest = np.zeros(self.size * width)
        np.maximum.at(busiest, cells, hours[present])
        return (np.bincount(cells, minlength=self.size * width).reshape(self.size, width),
                busiest.reshape(self.size, width))

    def _hour_bands(self) -> _Cells:
        """Cells of the band of hours of each person (a participant in a perimeter)."""
        person, perimeter = self._within("participant_id")
        hours, rows = np.bincount(person, self.hours[self.rows]), np.bincount(person)
        # Hours come with at most a few decimals: rounded, a sum such as 6.09 + 215.14 + 78.77
        # is exactly 300 and falls in its band whatever the order of the additions.
        band = _band_index(np.round(hours, 6), catalogue.HOURS_BANDS)
        width = len(catalogue.HOURS_BANDS) + 1
        cells = perimeter * width + np.where(band < 0, len(catalogue.HOURS_BANDS), band)
        shape, size = (self.size, width), self.size * width
        return _Cells([np.array([code for _, _, code, _ in catalogue.HOURS_BANDS] + [NON_RENSEIGNE], dtype=object)],
                      np.bincount(cells, hours, minlength=size).reshape(shape),
                      np.bincount(cells, rows, minlength=size).astype(np.int64).reshape(shape),
                      np.bincount(cells, minlength=size).reshape(shape))

    def _publics(self) -> _Cells:
        """Cells of the (non-exclusive) publics: the cells of every (main criterion,
        publics) pair, added up into each public the pair includes (a participant has one pair)."""
        pairs = self.cells(["critere_principal", "publics"])
        members = [set(f"{'' if main == NON_RENSEIGNE else main}|{'' if more == NON_RENSEIGNE else more}"
                       .rstrip("|").split("|")) for main, more in zip(*pairs.values)]
        codes = np.array(list(dict.fromkeys(code for member in members for code in sorted(member))), dtype=object)
        membership = np.array([[code in member for code in codes] for member in members], dtype=np.int64)
        return _Cells([codes], pairs.heures @ membership, pairs.contrats @ membership,
                      pairs.participants @ membership)

    def distinct(self, ids: np.ndarray, local: np.ndarray) -> np.ndarray:
        """Number of distinct ``ids`` (integers ≥ 0) per perimeter, of rows assigned to the perimeters ``local``."""
        rows, perimeter = self.tree.stack(local, np.arange(len(local)))
        return _distinct(perimeter, ids[rows], self.size)


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group number of each of ``keys`` (groups in key order), and the key of each group; by sorting."""
    order = np.argsort(keys)
    ordered = keys[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    group = np.empty(len(keys), dtype=np.int64)
    group[order] = np.cumsum(first) - 1
    return group, ordered[first]


def key_figures(ds: Dataset, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Key figures of ``spec/indicators.md`` for the region and each département.

    Returns a long frame ``perimetre, indicateur, valeur`` (``valeur`` float).
    Besides the spec's codes it carries ``heures_public_QPV`` (hours of QPV
    residents) and the shares of hours ``part_heures_*`` printed on the key
    figures page.
    """
    return _key_figures(_coded_facts(ds, facts))


def tables(ds: Dataset, facts: pd.DataFrame | None = None, only: tuple[str, ...] | None = None
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`key_figures` and :func:`breakdowns` (with ``only``) of ``ds`` together: the
    fact table is coded as integers once for both."""
    coded = _coded_facts(ds, facts)
    return _key_figures(coded), _breakdowns(coded, only)


def _coded_facts(ds: Dataset, facts: pd.DataFrame | None) -> _CodedFacts:
    """The fact table of ``ds`` (``facts`` when given) and its operations, coded."""
    return _CodedFacts(fact_table(ds) if facts is None else facts, operations_frame(ds))


def population_key_figures(populations: list[tuple[str, pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    """:func:`key_figures` of each population ``(name, facts, operations)`` as a region of
    its own (rows of the fact table; operations as :func:`operations_frame` gives them),
    all in one coded pass: ``perimetre`` is the population's name."""
    return _key_figures(_coded_populations(populations))


def population_breakdowns(populations: list[tuple[str, pd.DataFrame, pd.DataFrame]],
                          only: tuple[str, ...] | None) -> pd.DataFrame:
    """:func:`breakdowns` (with ``only``) of each population ``(name, facts, operations)``
    as a region of its own, all in one coded pass: ``perimetre`` is the population's name."""
    return _breakdowns(_coded_populations(populations), only)


def _coded_populations(populations: list[tuple[str, pd.DataFrame, pd.DataFrame]]) -> _CodedFacts:
    """The rows and operations of ``populations`` stacked and coded, each population a
    root of the hierarchy (:meth:`panorama.compute.perimeters.Hierarchy.populations`)."""
    def stacked(part: int) -> tuple[pd.DataFrame, np.ndarray]:
        frames = [population[part] for population in populations]
        return (pd.concat(frames, ignore_index=True),
                np.repeat(np.arange(len(frames)), [len(frame) for frame in frames]))

    (facts, population), (operations, op_population) = stacked(1), stacked(2)
    return _CodedFacts(facts, operations, [name for name, _, _ in populations], population, op_population)


def _key_figures(coded: _CodedFacts) -> pd.DataFrame:
    """:func:`key_figures` of coded facts."""
    operations = coded.operations
    total = coded.cells([], operations=True)
    heures, contrats, participants = total.heures[:, 0], total.contrats[:, 0], total.participants[:, 0]
    followed = total.operations[:, 0]
    buyers = pd.factorize(operations["donneur_ordre_id"], use_na_sentinel=False)[0]
    out = pd.DataFrame({
        "heures": heures, "participants": participants, "contrats": contrats,
        "operations_actives": coded.distinct(coded.ids("operation_id"), coded.local),
        "entreprises": coded.distinct(coded.ids("entreprise_id"), coded.local),
        "operations": np.where(followed > 0, followed, np.nan),
        "donneurs_ordre": np.where(followed > 0, coded.distinct(buyers, coded.op_local), np.nan),
    }, index=pd.Index(coded.names, name="perimetre"))
    for divisor in ETP_DIVISORS:
        out[f"etp_{divisor}"] = heures / divisor
    out["heures_par_participant"] = _ratio(heures, participants)
    out["heures_par_contrat"] = _ratio(heures, contrats)
    out["taux_realisation_annuel"] = _completion(coded)
    planned = coded.operations["heures_prevues"].to_numpy(dtype=float) > 0
    out["couverture_heures_prevues"] = _ratio(coded._add_up(coded.op_local, 1, planned.astype(float))[:, 0], followed)
    for code, values in _amounts(coded).items():
        out[code] = values

    sexe, ages, qpv = coded.cells(["sexe"]), coded.cells(["tranche_age"]), coded.cells(["qpv"])
    out["part_femmes"] = _ratio(sexe.of("participants", "F"), participants)
    for code, _ in catalogue.AGE_BANDS:
        out[f"part_{code.lower()}"] = _ratio(ages.of("participants", code), participants)
    out["part_qpv"] = _ratio(qpv.of("participants", "OUI"),
                             sum(qpv.of("participants", code) for code, _ in catalogue.QPV_CODES))
    exits = coded.cells(["situation_sortie"])
    known = participants - exits.of("participants", NON_RENSEIGNE) - exits.of("participants", "INCONNU")
    out["part_sortie_emploi_durable"] = _ratio(exits.of("participants", "EMPLOI_DURABLE"), known)

    publics = coded.cells(["public"])
    for code in referential.codes("critere"):
        out[f"heures_public_{code}"] = publics.of("heures", code)
    out["heures_public_QPV"] = qpv.of("heures", "OUI")
    groups = coded.cells(["groupe_contrat"])
    for group in ("IAE", "ALTERNANCE"):
        out[f"heures_{group.lower()}"] = groups.of("heures", group)
    for column in [c for c in out.columns if catalogue.key_figure(c).hours_share]:
        out[catalogue.HOURS_SHARE_PREFIX + column] = _ratio(out[column].to_numpy(), heures)

    out = out[coded.published & ((contrats > 0) | (followed > 0))].astype("float64")
    long = out.reset_index().melt(id_vars="perimetre", var_name="indicateur", value_name="valeur")
    return sort_perimeters(long, "perimetre").reset_index(drop=True)


def _completion(coded: _CodedFacts) -> np.ndarray:
    """Per perimeter, hours done in the year on the operations whose planned hours are
    filled (``heures_prevues`` > 0) ÷ the hours planned for these operations."""
    planned = coded.operations["heures_prevues"].to_numpy(dtype=float)
    committed = planned > 0  # a missing value (NaN) is not
    on_committed = coded.facts["operation_id"].isin(coded.operations["operation_id"][committed]).to_numpy()
    done = coded._add_up(coded.local, 1, np.where(on_committed, coded.hours, 0.0))[:, 0]
    return _ratio(done, coded._add_up(coded.op_local, 1, np.where(committed, planned, 0.0))[:, 0])


def _public_contracts(operations: pd.DataFrame) -> np.ndarray:
    """Which operations are marchés publics: neither a private buyer's nor a clause outside
    public procurement."""
    return ((operations["modalite"] != "HORS_COMMANDE_PUBLIQUE")
            & (operations["type_donneur_ordre"] != "PRIVE")).to_numpy()


def _amounts(coded: _CodedFacts) -> dict[str, np.ndarray]:
    """Per perimeter, the amounts (excl. VAT) of the marchés publics whose amount is filled:
    ``montant_ht`` in all and ``montant_ht_<nature>`` for each nature, NaN where no marché
    counted has its amount filled; and ``couverture_montant_ht``, the share of the
    perimeter's marchés publics whose amount is filled."""
    operations = coded.operations
    amount = operations["montant_ht"].to_numpy(dtype=float)
    public = _public_contracts(operations)
    filled = public & ~np.isnan(amount)
    nature = operations["nature"].to_numpy(dtype=object)
    count = lambda members: coded._add_up(coded.op_local, 1, members.astype(float))[:, 0]
    out = {}
    for code, members in (("montant_ht", filled), *((f"montant_ht_{code}", filled & (nature == code))
                                                   for code in referential.codes("nature"))):
        total = coded._add_up(coded.op_local, 1, np.where(members, amount, 0.0))[:, 0]
        out[code] = np.where(count(members) > 0, total, np.nan)
    out["couverture_montant_ht"] = _ratio(count(filled), count(public))
    return out


def sort_perimeters(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Region first, then départements in code order (stable)."""
    codes = frame[column].unique()
    ranked = sorted(codes, key=lambda code: (code != REGION, referential.departement_sort_key(code)))
    rank = frame[column].map({code: i for i, code in enumerate(ranked)})
    return frame.iloc[np.argsort(rank.to_numpy(), kind="stable")]


def evolution(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Every key figure of N beside N−1, with its evolution.

    Returns ``perimetre, indicateur, valeur, secret, valeur_precedente,
    secret_precedent, evolution`` where ``evolution`` is the rate ``N / (N−1) − 1``
    for counts and hours and the difference in points (fractions) for shares
    (as :attr:`catalogue.KeyFigure.evolution` says); a value under statistical secrecy (NaN) in either year leaves
    the evolution empty. Without N−1 the last three columns are empty.
    """
    merged = current.copy()
    if "secret" not in merged:
        merged["secret"] = False
    if previous is None:
        merged["valeur_precedente"] = np.nan
        merged["secret_precedent"] = False
    else:
        before = previous.rename(columns={"valeur": "valeur_precedente", "secret": "secret_precedent"})
        if "secret_precedent" not in before:
            before["secret_precedent"] = False
        merged = merged.merge(before[["perimetre", "indicateur", "valeur_precedente", "secret_precedent"]],
                              on=["perimetre", "indicateur"], how="left")
        merged["secret_precedent"] = merged["secret_precedent"].astype("boolean").fillna(False).astype(bool)
    points = {code: catalogue.key_figure(code).evolution == "points" for code in merged["indicateur"].unique()}
    is_share = merged["indicateur"].map(points).astype(bool)
    rate = merged["valeur"] / merged["valeur_precedente"].where(merged["valeur_precedente"] != 0) - 1
    merged["evolution"] = np.where(is_share, merged["valeur"] - merged["valeur_precedente"], rate)
    return merged


def evolution_rows(evo: pd.DataFrame) -> pd.DataFrame:
    """``taux_evolution_<code>`` rows of the export for the count-like key figures:
    published when both years are, blank and ``secret`` when either is secret."""
    hidden = evo["secret"] | evo["secret_precedent"]
    rows = evo[evo["indicateur"].isin(catalogue.evolution_codes()) & (evo["evolution"].notna() | hidden)]
    hidden = hidden[rows.index]
    return pd.DataFrame({"perimetre": rows["perimetre"],
                         "indicateur": catalogue.EVOLUTION_PREFIX + rows["indicateur"],
                         "valeur": rows["evolution"].where(~hidden), "secret": hidden})


def series(by_year: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Key figures of every year from the first to the last one available.

    ``by_year`` maps a year to its protected key figures (``perimetre,
    indicateur, valeur, secret``). Returns ``annee, perimetre, indicateur,
    valeur, secret``; a year without data in the middle of the
    range has a row per (perimeter, indicator) with ``valeur`` NaN: shown as
    missing, never interpolated.
    """
    first, last = min(by_year), max(by_year)
    keys = pd.concat(by_year.values())[["perimetre", "indicateur"]].drop_duplicates()
    keys = sort_perimeters(keys, "perimetre")
    frames = []
    for year in range(first, last + 1):
        values = keys.merge(by_year[year], on=["perimetre", "indicateur"], how="left") if year in by_year \
            else keys.assign(valeur=np.nan, secret=False)
        frames.append(values.assign(annee=year))
    out = pd.concat(frames, ignore_index=True)
    out["secret"] = out["secret"].astype("boolean").fillna(False).astype(bool)
    return out[["annee", "perimetre", "indicateur", "valeur", "secret"]]


@cache
def _commune_names() -> dict[str, str]:
    names = geo.commune_centroids()["nom"]
    return dict(zip(names.index.tolist(), names.tolist()))


def code_label(dimension: catalogue.Dimension, code: str) -> str:
    """French label of ``code`` in ``dimension`` (« Non renseigné » for missing values)."""
    if code == NON_RENSEIGNE:
        return "Non renseigné"
    if dimension.labels:
        return dict(dimension.labels)[code]
    if dimension.nomenclature == "departement":
        return referential.departement_name(code) or code
    if dimension.nomenclature == "commune":
        return _commune_names().get(code, code)
    if dimension.nomenclature is None:
        return code
    return referential.label(dimension.nomenclature, code)


def dimension_codes(dimension: catalogue.Dimension) -> list[str]:
    """Codes of ``dimension`` in publication order (empty for free text such as grands projets)."""
    if dimension.labels:
        return [code for code, _ in dimension.labels]
    if dimension.nomenclature == "departement":
        return list(referential.DEPARTEMENTS)
    if dimension.nomenclature in (None, "commune"):
        return []
    return list(referential.codes(dimension.nomenclature))


def _code_rank(dimension: catalogue.Dimension, codes: pd.Series, heures: pd.Series) -> pd.Series:
    """Sort key: referential order; free text by decreasing hours; not filled last."""
    order = {code: i for i, code in enumerate(dimension_codes(dimension))}
    if order:
        rank = codes.map(order).astype(float)
    else:
        rank = (-heures).rank(method="first")
    return rank.where(codes != NON_RENSEIGNE, np.inf)


def breakdowns(ds: Dataset, facts: pd.DataFrame | None = None, only: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every breakdown of ``spec/indicators.md`` for every perimeter, in long format.

    Columns: ``perimetre, dimension, code, libelle, heures, contrats,
    participants, part_heures, part_participants, secret, operations``.
    Missing optional values appear under the code ``NON_RENSEIGNE`` so that
    exclusive breakdowns add up to the perimeter's totals; ``publics`` is not
    exclusive. Cross-tabs use codes ``A|B`` and dimension ``x_x_y``.
    ``operations`` is filled for operation-level dimensions only. ``only``
    restricts the computation to these dimensions (no cross-tab).
    """
    return _breakdowns(_coded_facts(ds, facts), only)


def _breakdowns(coded: _CodedFacts, only: tuple[str, ...] | None) -> pd.DataFrame:
    """:func:`breakdowns` of coded facts."""
    frames = [_breakdown(coded, [dim], dim.name) for dim in catalogue.DIMENSIONS if only is None or dim.name in only]
    frames += [_breakdown(coded, list(cross.dimensions), cross.name)
               for cross in (catalogue.CROSSES if only is None else ())]
    total = coded.cells([])
    counted = coded.published & (total.contrats[:, 0] > 0)
    totals = pd.DataFrame({"perimetre": coded.names[counted], "total_heures": total.heures[counted, 0],
                           "total_participants": total.participants[counted, 0]})
    out = pd.concat(frames, ignore_index=True).merge(totals, on="perimetre", how="left")
    out["part_heures"] = out["heures"] / out.pop("total_heures")
    out["part_participants"] = out["participants"] / out.pop("total_participants")
    out["secret"] = False
    columns = ["perimetre", "dimension", "code", "libelle", "heures", "contrats", "participants",
               "part_heures", "part_participants", "secret", "operations", "entreprises", "part_max_entreprise"]
    out = out.reindex(columns=columns)  # without a company dimension: no company counts
    return sort_perimeters(out, "perimetre").reset_index(drop=True)


def _breakdown(coded: _CodedFacts, dims: list[catalogue.Dimension], name: str) -> pd.DataFrame:
    """One (possibly crossed) breakdown: hours, contracts, participants per code.

    For a company dimension (:attr:`catalogue.Dimension.company`) it also counts the
    companies of each cell (``entreprises``) and the share of the cell's hours
    done by the largest one (``part_max_entreprise``), for the confidentiality
    rule; these two columns are not published.
    """
    columns = [d.column for d in dims]
    operation_level = all(d.level == "operation" for d in dims)
    cells = coded.cells(columns, operations=operation_level, firms=catalogue.breakdown(name).company)
    present = cells.contrats > 0
    if operation_level:  # operations without any contract have their cells too
        present |= cells.operations > 0
    present &= coded.published[:, None]
    perimeter, code = np.nonzero(present)
    grouped = pd.DataFrame({"perimetre": coded.names[perimeter],
                            **{column: values[code] for column, values in zip(columns, cells.values)},
                            "heures": cells.heures[present], "contrats": cells.contrats[present],
                            "participants": cells.participants[present]})
    if cells.entreprises is not None:
        grouped["entreprises"] = cells.entreprises[present]
        grouped["part_max_entreprise"] = cells.max_entreprise[present] / grouped["heures"].where(grouped["heures"] > 0)
    if operation_level:
        operations = cells.operations[present]
        # Types as the outer merge of contracts' and operations' cells gave them.
        grouped["operations"] = np.where(operations > 0, operations, np.nan) if (operations == 0).any() else operations
        if (grouped["contrats"] == 0).any():
            grouped[["contrats", "participants"]] = grouped[["contrats", "participants"]].astype(float)
    else:
        grouped["operations"] = np.nan
    # Cells in code order within a perimeter, as the outer merge of contracts' and operations'
    # cells sorted them: a tie of the rank below (free text with equal hours) keeps that order.
    grouped = grouped.sort_values(["perimetre", *columns], kind="stable", ignore_index=True)
    grouped["dimension"] = name
    grouped["code"] = grouped[columns[0]].astype(str)
    grouped["libelle"] = _labels(dims[0], grouped[columns[0]])
    rank = _code_rank(dims[0], grouped[columns[0]], grouped["heures"])
    if len(dims) == 2:
        grouped["code"] = grouped["code"] + "|" + grouped[columns[1]].astype(str)
        grouped["libelle"] = grouped["libelle"] + " × " + _labels(dims[1], grouped[columns[1]])
        rank = rank * 1000 + _code_rank(dims[1], grouped[columns[1]], grouped["heures"]).clip(upper=999)
    grouped = grouped.assign(_rank=rank).sort_values(["perimetre", "_rank"], kind="stable")
    return grouped.drop(columns=["_rank", *columns])


def _labels(dimension: catalogue.Dimension, codes: pd.Series) -> pd.Series:
    """:func:`code_label` of each of ``codes``, computed once per distinct code."""
    return codes.map({code: code_label(dimension, code) for code in codes.unique()})
