"""Statistical confidentiality: nothing published singles out a person or a company.

Three steps, applied to every table of one year before anything is drawn,
printed or exported:

1. **Primary suppression** — a breakdown cell counting fewer than ``seuil``
   participants is not published; a cell of hours by type of structure or
   contract needs at least ``entreprises_min`` companies and no company above
   ``dominance`` of its hours; a perimeter of fewer than ``seuil`` participants
   publishes no figure; a share or an average is not published when it is
   computed on fewer than ``seuil`` participants.
2. **Secondary suppression** — every published relation between cells is a
   *group*: a total and the cells that add up to it (a breakdown and its
   perimeter's total, the region and its départements, a cross-tab and its
   margins, the same cell published twice; a perimeter and its children come from
   the declared hierarchy, :mod:`panorama.compute.perimeters`). No group may hold
   exactly one suppressed cell, and the pattern must pass the audit: among the
   patterns that do, a mixed-integer program (HiGHS) finds one of least cost
   (participants hidden, then hours), by cut generation (:func:`_optimal`).
   Past its limits of work, the greedy pattern is used (:func:`_greedy`:
   while a group holds one suppressed cell, its smallest other cell is
   suppressed too), and :attr:`Summary.greedy` says so.
3. **Audit** — for each suppressed cell, linear programming (HiGHS)
   computes the tightest interval an attacker can derive from everything
   published (the groups' equations, the inequalities of counts of people who
   may be counted in several cells, non-negativity). A suppressed participant
   count must keep an interval at least ``protection`` wide; the hours of a
   primary cell an interval at least ``protection_heures`` of their value. Cells that fail get more
   suppression; if no pattern passes, :class:`ConfidentialityError` stops
   the build. The suppressed cells linked by groups form one program, built
   once and re-solved from its last basis; the tables met on the way, which
   the attacker cannot rule out, already show most intervals wide enough:
   only the other cells need a program of their own. The outcome is that of
   one exact program per cell.

One regime for the year: :func:`protect_edition` applies the three steps at once
to everything published for a year — the panorama's tables and every study's
(documents and open data, their earlier years included). Each published count
is a cell named by its population (:func:`identity`: year and conditions), so
the same population published by two tables is one cell; the studies' relations
(:class:`Partition`: women + men = a panorama cell…) are groups like the
panorama's, a total that no table publishes being an unknown of the audit.

Key figures follow the cells they are computed from (``part_femmes`` follows
the breakdown by sex, ``heures_iae`` the contract groups…): when any cell of
that breakdown is suppressed in a perimeter, the key figure is too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from panorama.compute.cells import Identity, Partition, identity
from panorama.compute.perimeters import REGION, Hierarchy
from panorama.core import catalogue
from panorama.core.config import Rule
from panorama.core.errors import PanoramaError
from panorama.core.formatting import fmt_int

MEASURES = ("heures", "contrats", "participants", "part_heures", "part_participants", "operations",
            "entreprises", "part_max_entreprise")


class ConfidentialityError(PanoramaError):
    """The audit found a suppressed value that could be recovered: nothing is written.
    ``failing``: the cells still too narrow (their numbers in the joint set)."""

    def __init__(self, message: str, failing: Sequence[int] = ()):
        super().__init__(message)
        self.failing = list(failing)


@dataclass
class Summary:
    """What the rule did to one year's tables."""

    primary: int = 0
    secondary: int = 0
    audited: int = 0
    narrowest: float = float("inf")  # narrowest participant interval found by the audit
    participants: float = 0.0  # participants of the cells, summed over the cells (a person counts in several)
    heures: float = 0.0  # hours of the cells, summed likewise
    secondary_participants: float = 0.0  # of them, in the cells hidden by secondary suppression
    secondary_heures: float = 0.0
    greedy: bool = False  # the optimisation reached its limits: the greedy pattern is published

    @property
    def suppressed(self) -> int:
        """Cells suppressed, primary and secondary."""
        return self.primary + self.secondary

    @property
    def loss(self) -> tuple[float, float]:
        """The information lost to secondary suppression: the shares of the cells' participants
        and of their hours that it hides (0 to 1)."""
        return (self.secondary_participants / self.participants if self.participants else 0.0,
                self.secondary_heures / self.heures if self.heures else 0.0)


@dataclass
class Protection:
    """One year's publishable set after the rule: the panorama's tables, the
    :class:`Summary` of its cells, the identities of every secret cell (panorama
    and other published cells alike) and the earlier years' key figures."""

    breakdowns: pd.DataFrame
    key_figures: pd.DataFrame
    summary: Summary
    secret: frozenset[Identity]
    earlier_key_figures: dict[int, pd.DataFrame] = field(default_factory=dict)


@dataclass
class _Cells:
    """Every publishable cell of one year: breakdown rows, one totals cell per perimeter,
    then the other published cells and the unpublished parents of partitions."""

    participants: np.ndarray
    heures: np.ndarray
    is_total: np.ndarray
    groups: list[tuple[int, list[int], bool]] = field(default_factory=list)  # (total, members, people exact)
    unpublished: frozenset[int] = frozenset()  # parents of partitions: unknown, never audited nor chosen
    settled: frozenset[int] = frozenset()  # cells whose secrecy is given: never chosen either


def protect(breakdowns: pd.DataFrame, key_figures: pd.DataFrame, rule: Rule
            ) -> tuple[pd.DataFrame, pd.DataFrame, Summary]:
    """Apply the rule to the panorama's tables alone (:func:`protect_edition` without
    other cells): ``breakdowns`` and ``key_figures`` (long: ``perimetre, indicateur,
    valeur``) with suppressed values set to NaN and a boolean ``secret`` column, and a
    :class:`Summary`. Raises :class:`ConfidentialityError` when the audit fails."""
    done = protect_edition(breakdowns, key_figures, rule, year=0)
    return done.breakdowns, done.key_figures, done.summary


def protect_edition(breakdowns: pd.DataFrame, key_figures: pd.DataFrame, rule: Rule, *, year: int,
                    cells: Mapping[Identity, tuple[float, ...]] | None = None,
                    partitions: Sequence[Partition] = (),
                    earlier: Mapping[int, tuple[pd.DataFrame, pd.DataFrame]] | None = None,
                    settled: Mapping[Identity, bool] | None = None) -> Protection:
    """Apply the rule jointly to everything published for ``year``: the panorama's
    ``breakdowns`` and ``key_figures``, the key figures of ``earlier`` years (year →
    their breakdowns and key figures: the breakdowns their key figures are computed
    from) and every other published count ``cells`` (identity → participants, hours; a
    study's tables, N−1 years included) linked by ``partitions`` (a cell by type of
    structure or contract adds its companies and the share of its hours done by the
    largest one, for the primary rule). A cell published twice is one cell; primary
    suppression, the secondary suppression and the audit run once over the whole set,
    so a cell hidden in one table cannot be recomputed from another. The outcome
    depends on the set only (not on the order of ``cells`` nor on which publication asks).

    ``settled``: cells whose secrecy is already decided (identity → secret), kept as
    they are: more cells added to a settled year are protected around it. Raises
    :class:`ConfidentialityError` when the audit fails.
    """
    blocks = [(year, breakdowns, key_figures), *((y, *earlier[y]) for y in sorted(earlier or {}))]
    all_cells, identities, primary, spans = None, [], set(), []
    for block_year, block_rows, block_key in blocks:
        rows = block_rows.reset_index(drop=True)
        totals = _perimeter_totals(block_key)
        offset = len(identities)
        block = _cells(rows, totals)
        all_cells = block if all_cells is None else _concatenate(all_cells, block)
        identities += _panorama_identities(rows, totals, block_year)
        primary |= {offset + c for c in _primary(rows, totals, rule)}
        spans.append((offset, rows, totals, block_key))
    firms = _link(all_cells, identities, cells or {}, partitions)
    n_panorama = len(breakdowns) + len(spans[0][2])
    n_published = spans[-1][0] + len(spans[-1][1]) + len(spans[-1][2])  # the panorama's cells, every year
    settled = settled or {}
    fixed = [i for i, name in enumerate(identities) if name in settled]
    all_cells.settled = frozenset(fixed)
    people = all_cells.participants[n_published:]
    small = np.flatnonzero((people > 0) & (people < rule.seuil)) + n_published
    concentrated = {c for c, (companies, largest) in firms.items() if all_cells.heures[c] > 0 and (
        np.nan_to_num(companies) < rule.entreprises_min or np.nan_to_num(largest) > rule.dominance)}
    primary |= (set(small.tolist()) - all_cells.unpublished) | concentrated
    base = primary | all_cells.unpublished | {i for i in fixed if settled[identities[i]]}
    found = _optimal(all_cells, base, primary, rule)
    suppressed, summary = found if found is not None else _greedy(all_cells, base, primary, rule, identities)
    summary.greedy = found is None
    summary.primary = sum(1 for c in primary if c < n_panorama)  # the panorama's cells of the year
    secondary = [c for c in suppressed if c < n_panorama and c not in primary]
    summary.secondary = len(secondary)
    summary.participants = float(all_cells.participants[:n_panorama].sum())
    summary.heures = float(all_cells.heures[:n_panorama].sum())
    summary.secondary_participants = float(all_cells.participants[secondary].sum())
    summary.secondary_heures = float(all_cells.heures[secondary].sum())
    protected = [_protected_tables(rows, totals, key, {c - offset for c in suppressed}, rule)
                 for offset, rows, totals, key in spans]
    secret = frozenset(identities[c] for c in suppressed if c not in all_cells.unpublished)
    return Protection(*protected[0], summary, secret,
                      {y: key for (y, *_), (_, key) in zip(blocks[1:], protected[1:])})


MAX_NAMED = 5
"""Cells named in the message of a failed audit."""


def _failure(cells: _Cells, identities: list[Identity], failing: Sequence[int]) -> str:
    """French words on a failed audit: the cells still recoverable, and the most likely
    outlier among the cells they are linked to (the most hours per participant: a typo
    such as 999 999 hours leaves every other cell too small to hide it)."""
    if not failing:
        return ""
    named = "; ".join(_cell_words(identities[c]) for c in failing[:MAX_NAMED])
    more = f" (et {len(failing) - MAX_NAMED} autres)" if len(failing) > MAX_NAMED else ""
    linked = {m for total, members, _ in cells.groups if set(failing) & {total, *members}
              for m in (total, *members) if m < len(identities) and cells.participants[m] > 0}
    text = f"Cases en cause : {named}{more}."
    if linked:
        outlier = max(sorted(linked), key=lambda c: cells.heures[c] / cells.participants[c])
        people = cells.participants[outlier]
        text += (f" Valeur la plus atypique parmi les cases liées : {_cell_words(identities[outlier])}, "
                 f"{fmt_int(cells.heures[outlier])} heures pour {fmt_int(people)} participant"
                 f"{'s' if people > 1 else ''} ; vérifiez les heures de ses contrats (panorama validate).")
    return text


def _cell_words(name: Identity) -> str:
    """A cell in words: its year and its conditions (« 2019, département d'exécution 93, nature TRAVAUX »)."""
    year = dict(name).get("annee")
    conditions = sorted((attribute, code) for attribute, code in name if attribute != "annee")
    words = [f"{_attribute_words(attribute)} {code}" for attribute, code in conditions]
    return ", ".join([str(year), *words] if words else [str(year), "ensemble"])


def _attribute_words(attribute: str) -> str:
    """The French title of a condition's attribute (a breakdown of the catalogue, else as is)."""
    try:
        return catalogue.breakdown(attribute).title.lower() or attribute
    except catalogue.UnknownCodeError:
        return attribute.replace("_", " ")


def _concatenate(first: _Cells, second: _Cells) -> _Cells:
    """The cells of two disjoint sets (``second``'s numbered after ``first``'s)."""
    n = len(first.participants)
    return _Cells(participants=np.concatenate([first.participants, second.participants]),
                  heures=np.concatenate([first.heures, second.heures]),
                  is_total=np.concatenate([first.is_total, second.is_total]),
                  groups=[*first.groups, *((n + t, [n + m for m in members], exact)
                                           for t, members, exact in second.groups)])


def _protected_tables(rows: pd.DataFrame, totals: pd.DataFrame, key_figures: pd.DataFrame, suppressed: set[int],
                      rule: Rule) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One year's breakdowns and key figures with the ``suppressed`` cells (numbered as
    in :func:`_cells`) blank and ``secret``."""
    n_rows, n_cells = len(rows), len(rows) + len(totals)
    secret_rows = np.zeros(n_rows, dtype=bool)
    secret_rows[[c for c in suppressed if 0 <= c < n_rows]] = True
    out = rows.copy()
    out["secret"] = secret_rows
    for column in MEASURES:
        if column in out:
            out[column] = out[column].astype(float).where(~secret_rows)
    secret_perimeters = {totals.index[c - n_rows] for c in suppressed if n_rows <= c < n_cells}
    key = _protect_key_figures(key_figures, out, _known_denominators(rows), secret_perimeters, rule)
    return out, key


def identities(breakdowns: pd.DataFrame, key_figures: pd.DataFrame, year: int) -> list[Identity]:
    """The population of each cell of the panorama's tables of ``year``: the breakdown
    rows, then each perimeter's totals."""
    return _panorama_identities(breakdowns.reset_index(drop=True), _perimeter_totals(key_figures), year)


def _panorama_identities(rows: pd.DataFrame, totals: pd.DataFrame, year: int) -> list[Identity]:
    """The population of each panorama cell (breakdown rows, then perimeter totals)."""
    out = []
    for perimeter, dimension, code in zip(rows["perimetre"], rows["dimension"], rows["code"]):
        where = [] if perimeter == REGION else [("departement_execution", perimeter)]
        table = catalogue.breakdown(dimension)
        if isinstance(table, catalogue.Cross):
            where += zip((table.first.name, table.second.name), code.split("|"))
        else:
            where.append((dimension, code))
            if not table.across:  # bands of the perimeter's own distribution
                where.append(("bandes", perimeter))
        out.append(identity(year, *where))
    out += [identity(year, *([] if p == REGION else [("departement_execution", p)])) for p in totals.index]
    return out


def _link(cells: _Cells, identities: list[Identity], extra: Mapping[Identity, tuple[float, ...]],
          partitions: Sequence[Partition]) -> dict[int, tuple[float, float]]:
    """Add the cells published outside the panorama's tables (the same population is one
    cell), the unpublished parents of exact partitions and the groups of ``partitions``
    to ``cells`` (``identities`` grows with them); return the companies of the new cells
    that count them (index → companies, share of the largest)."""
    index: dict[Identity, int] = {}
    for i, name in enumerate(identities):
        index.setdefault(name, i)
    people, hours, hidden = [], [], set()

    def add(name: Identity, participants: float, heures: float, published: bool) -> int:
        index[name] = len(identities)
        identities.append(name)
        people.append(participants)
        hours.append(heures)
        if not published:
            hidden.add(index[name])
        return index[name]

    firms = {}
    for name in sorted(extra, key=_order):
        if name not in index:
            participants, heures, *companies = extra[name]
            cell = add(name, participants, heures, True)
            if companies:
                firms[cell] = tuple(companies)

    def value(c: int, values: np.ndarray, more: list) -> float:
        return float(values[c]) if c < len(values) else float(more[c - len(values)])

    groups = []
    for part in sorted(partitions, key=lambda p: (_order(p.parent), sorted(map(_order, p.members)))):
        members = sorted({index[m] for m in part.members if m in index})
        if not members:
            continue
        member_hours = sum(value(m, cells.heures, hours) for m in members)
        parent = index.get(part.parent)
        if parent is None:
            if not part.exact:
                continue
            parent = add(part.parent, sum(value(m, cells.participants, people) for m in members), member_hours,
                         False)
        elif abs(value(parent, cells.heures, hours) - member_hours) > 1e-6 * (1 + member_hours):
            continue  # the members do not cover the parent: no published relation
        groups.append((parent, members, part.exact))
    cells.participants = np.concatenate([cells.participants, np.asarray(people, float)])
    cells.heures = np.concatenate([cells.heures, np.asarray(hours, float)])
    cells.is_total = np.concatenate([cells.is_total, np.zeros(len(people), bool)])
    cells.groups += groups
    cells.unpublished = frozenset(hidden)
    return firms


def _order(name: Identity) -> tuple:
    """A sort key of identities (deterministic order of the joint set)."""
    return tuple(sorted((str(a), str(c)) for a, c in name))


def _perimeter_totals(key_figures: pd.DataFrame) -> pd.DataFrame:
    wide = key_figures.pivot_table(index="perimetre", columns="indicateur", values="valeur", sort=False)
    return wide[["participants", "heures"]].fillna(0)


def _cells(rows: pd.DataFrame, totals: pd.DataFrame) -> _Cells:
    """Cells and the groups that link them (see the module docstring)."""
    n = len(rows)
    perimeters = list(totals.index)
    total_cell = {p: n + i for i, p in enumerate(perimeters)}
    cells = _Cells(
        participants=np.concatenate([rows["participants"].to_numpy(float), totals["participants"].to_numpy(float)]),
        heures=np.concatenate([rows["heures"].to_numpy(float), totals["heures"].to_numpy(float)]),
        is_total=np.concatenate([np.zeros(n, bool), np.ones(len(perimeters), bool)]))
    keys = list(zip(rows["perimetre"].tolist(), rows["dimension"].tolist(), rows["code"].tolist()))
    index = {key: i for i, key in enumerate(keys)}
    tree = Hierarchy.regional([p for p in perimeters if p != REGION])
    parent_of = {tree.names[child]: tree.names[parent] for parent, children in tree.equations() for child in children}
    by_table: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_cell: dict[tuple[str, str, str], list[int]] = defaultdict(list)  # (parent, dimension, code) → children's
    tables = {d: catalogue.breakdown(d) for d in rows["dimension"].unique()}  # fails closed on an unknown one
    for i, (p, d, c) in enumerate(keys):
        by_table[(p, d)].append(i)
        if p in parent_of and tables[d].across:
            by_cell[(parent_of[p], d, c)].append(i)
    for (p, d), members in by_table.items():
        table = tables[d]
        if table.exclusive:
            cells.groups.append((total_cell[p], members, table.participants_add_up))
        if isinstance(table, catalogue.Cross):
            for position, margin in enumerate(dim.name for dim in table.dimensions):
                parts: dict[str, list[int]] = defaultdict(list)
                for i in members:
                    parts[keys[i][2].split("|")[position]].append(i)
                exact = table.participants_add_up
                for code, part in parts.items():
                    margin_cell = index.get((p, margin, code))
                    if margin_cell is not None:
                        cells.groups.append((margin_cell, part, exact))
    for (parent, d, c), members in by_cell.items():  # a parent's cell and its children's (region = Σ départements)
        parent_cell = index.get((parent, d, c))
        if parent_cell is not None:
            cells.groups.append((parent_cell, members, False))
    for parent, children in tree.equations():  # a parent's totals and its children's
        members = [total_cell[tree.names[child]] for child in children]
        if tree.names[parent] in total_cell and members:
            cells.groups.append((total_cell[tree.names[parent]], members, False))
    for p in perimeters:  # the hours of département p are also published as a cell of the region's table
        same = index.get((REGION, "departement_execution", p))
        if p != REGION and same is not None:
            cells.groups.append((total_cell[p], [same], True))
    return cells


def _primary(rows: pd.DataFrame, totals: pd.DataFrame, rule: Rule) -> set[int]:
    people = rows["participants"].to_numpy(float)
    small = (people > 0) & (people < rule.seuil)
    companies = [d for d in rows["dimension"].unique() if catalogue.breakdown(d).company]
    company = rows["dimension"].isin(companies).to_numpy() & (rows["heures"].to_numpy(float) > 0)
    if "entreprises" in rows:
        concentrated = (rows["entreprises"].fillna(0).to_numpy(float) < rule.entreprises_min) | (
            rows["part_max_entreprise"].fillna(0).to_numpy(float) > rule.dominance)
        small |= company & concentrated
    suppressed = set(np.flatnonzero(small).tolist())
    n = len(rows)
    for i, people_total in enumerate(totals["participants"].to_numpy(float)):
        if 0 < people_total < rule.seuil:
            suppressed.add(n + i)
            perimeter = totals.index[i]
            suppressed.update(np.flatnonzero((rows["perimetre"] == perimeter).to_numpy()).tolist())
    return suppressed


def _greedy(cells: _Cells, base: set[int], primary: set[int], rule: Rule,
            identities: list[Identity]) -> tuple[set[int], Summary]:
    """The greedy pattern: :func:`_secondary` around the ``base`` cells, widened where the
    audit fails (five rounds at most); the pattern and its audit's summary."""
    suppressed = set(base)
    _secondary(cells, suppressed)
    for _ in range(5):
        summary = Summary()  # the last round's audit is the one reported
        failing = _audit(cells, suppressed, primary, rule, summary)
        if not failing:
            return suppressed, summary
        for cell in failing:
            _widen(cells, suppressed, cell)
        _secondary(cells, suppressed)
    raise ConfidentialityError(
        "Secret statistique : l'audit a trouvé des valeurs masquées qui resteraient calculables à partir "
        "des valeurs publiées ; aucune sortie n'a été écrite. Relevez le seuil ou signalez ce cas. "
        + _failure(cells, identities, failing), failing)


ROUNDS = 40
"""Rounds of cut generation (a pattern chosen, then checked) the optimal secondary suppression
may take before the greedy pattern is used instead."""
NODES = 5_000
"""Branch-and-bound nodes (and leaves) its programs may explore, all together: a limit of work,
so that the pattern never depends on the machine's speed. Every program of the example and of
the national dataset is solved at its root or in a few nodes."""
IMPROVING = 1_000
"""Improving solutions one program may find before it stops (a limit of work, like :data:`NODES`)."""
TIME_LIMIT = 60.0
"""Seconds the optimal secondary suppression may take in any case: a safety net for a machine
far too slow for the limits of work, whose use is reported like theirs (:attr:`Summary.greedy`)."""


@dataclass
class _Budget:
    """What is left of the optimal suppression's work: branch-and-bound nodes, and the
    wall-clock deadline (``time.perf_counter``)."""

    deadline: float
    nodes: int

    def seconds(self) -> float:
        """Seconds left before the deadline."""
        import time

        return self.deadline - time.perf_counter()


def _optimal(cells: _Cells, base: set[int], primary: set[int], rule: Rule) -> tuple[set[int], Summary] | None:
    """The pattern of least cost around the ``base`` cells that passes the audit, by cut
    generation: a mixed-integer program (HiGHS) chooses the cells to suppress, ``y_c`` = 1
    when cell ``c`` is, at the least cost Σ y_c·(participants_c + hours_c / Σ hours) under
    the constraints found so far; the pattern found is checked and the constraints it
    violates are added, until it passes:

    - a group never holds exactly one suppressed cell (:func:`_secondary`'s rule): for
      each published cell ``i`` of a group, Σ y_j over the group's other cells ≥ y_i,
      written for a group once a pattern leaves one of its cells alone;
    - a cell the audit finds too narrow needs one more suppressed cell among the cells of
      the groups of its component: Σ y_j over those not suppressed ≥ y_cell. The cut is
      valid for every pattern: one that suppresses no new cell there leaves the attacker
      the same equations with fewer unknowns, so an interval no wider.

    Every pattern that passes the audit (the greedy one among them) meets every constraint,
    so the optimum costs no more than it. Cells of ``base`` are suppressed, settled cells
    and cells of zero keep their state. Deterministic (the same rows give HiGHS the same
    program, solved on one thread); None after :data:`ROUNDS` rounds, when the programs
    need more than :data:`NODES` nodes in all, after :data:`TIME_LIMIT` seconds, or when
    the audit fails where no cell is left to suppress."""
    import time

    budget = _Budget(time.perf_counter() + TIME_LIMIT, NODES)
    n = len(cells.participants)
    free = np.ones(n, bool)
    free[list(base | cells.settled)] = False
    free &= (cells.heures > 0) | (cells.participants > 0)
    forced = np.zeros(n, bool)
    forced[list(base)] = True
    hours = float(cells.heures[free].sum()) + 1.0
    cost = cells.participants + cells.heures / hours
    rows: list[tuple[tuple[tuple[int, float], ...], float, float]] = []  # (variable, coefficient)…, bounds
    solved: dict = {}  # independent programs → their optimum
    audited: dict = {}  # components → their audit
    written: set[int] = set()  # groups whose constraints are in the program
    groups_of = _groups_of(cells)

    def add(terms: list[tuple[int, float]], lower: float, upper: float = np.inf) -> bool:
        """The row ``lower ≤ Σ coefficient·variable ≤ upper``; False when it is there already."""
        row = (tuple(sorted(terms)), lower, upper)
        if row in written_rows:
            return False
        written_rows.add(row)
        rows.append(row)
        return True

    written_rows: set = set()

    def protect(terms: list[int], cell: int) -> bool:
        """The row Σ y_terms ≥ y_cell over the free ``terms`` (≥ 1 when ``cell`` is suppressed
        in any case); False when the cell stays published, when no free cell can protect it or
        when the row is there already."""
        if not (free[cell] or forced[cell]):
            return False
        terms = [(c, 1.0) for c in sorted({c for c in terms if free[c]} - {cell})]
        if free[cell]:
            return add([*terms, (cell, -1.0)], 0.0)
        return bool(terms) and add(terms, 1.0)  # no cell left to suppress: no row can help

    def write(g: int) -> None:
        """The group's rule: never exactly one suppressed cell. With one cell suppressed in any
        case, one row (Σ y over the others ≥ 1); else, with ``s`` the group's number of
        suppressed cells (a variable of its own, −1 − g), 2·y_i ≤ s for each cell ``i``."""
        total, members, _ = cells.groups[g]
        group = [total, *members]
        if any(c in cells.unpublished for c in group):
            return  # an unknown total: a single published cell beside it is safe
        fixed = [c for c in group if forced[c]]
        variables = [c for c in group if free[c]]
        if len(fixed) > 1 or not variables or (not fixed and len(variables) < 2):
            return  # met already, or nothing to hide: the others are zero or settled
        if fixed:
            protect(variables, fixed[0])
            return
        count = -1 - g
        add([*((c, 1.0) for c in variables), (count, -1.0)], 0.0, 0.0)
        for c in variables:
            add([(count, 1.0), (c, -2.0)], 0.0)

    suppressed = set(base)
    for _ in range(ROUNDS):
        if budget.seconds() <= 0:
            return None
        lonely = [g for g, (total, members, _) in enumerate(cells.groups) if g not in written
                  and sum(c in suppressed for c in (total, *members)) == 1]
        if lonely:
            for g in lonely:
                written.add(g)
                write(g)
        else:
            pattern = set(suppressed)
            _secondary(cells, pattern)  # an unpublished total the groups give away (rare)
            summary = Summary()
            failing = _audit(cells, pattern, primary, rule, summary, audited)
            if not failing:
                return pattern, summary
            components = {c: component for component in _components(cells, pattern) for c in component}
            added = False
            for cell in failing:
                around = {m for c in components[cell] for g in groups_of[c]
                          for m in (cells.groups[g][0], *cells.groups[g][1]) if m not in pattern}
                added |= protect(sorted(around), cell)
            if not added:
                return None  # no cut to add: leave it to the greedy pattern
        chosen = _choose(rows, cost, budget, solved)
        if chosen is None:
            return None
        suppressed = set(base) | chosen
    return None


def _choose(rows: list[tuple], cost: np.ndarray, budget: _Budget, solved: dict) -> set[int] | None:
    """The free cells (variables ≥ 0, binary) of least total ``cost`` meeting every row
    (``lower ≤ Σ coefficient·variable ≤ upper``; variables < 0 are continuous counts);
    None when HiGHS proves no optimum within the ``budget``. The rows that share no variable
    are independent programs, each solved once (``solved``: rows → cells, kept between calls)."""
    parent: dict[int, int] = {}

    def find(c: int) -> int:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for terms, _, _ in rows:
        first = find(terms[0][0])
        for c, _ in terms[1:]:
            root = find(c)
            if root != first:
                parent[root] = first
    parts: dict[int, list] = defaultdict(list)
    for row in rows:
        parts[find(row[0][0][0])].append(row)
    chosen: set[int] = set()
    for root in sorted(parts):
        part = tuple(sorted(parts[root]))
        if part not in solved:
            solved[part] = _solve(part, cost, budget)
        if solved[part] is None:
            return None
        chosen |= solved[part]
    return chosen


def _solve(rows: tuple, cost: np.ndarray, budget: _Budget) -> set[int] | None:
    """:func:`_choose` for rows that form one program: the cheapest cell when it is one row
    Σ y ≥ 1, else HiGHS's branch and bound within what is left of the ``budget`` (the nodes
    it explores are taken from it)."""
    import highspy

    if len(rows) == 1 and rows[0][1] == 1.0 and all(a == 1.0 for _, a in rows[0][0]):
        return {min((c for c, _ in rows[0][0]), key=lambda c: (cost[c], c))}
    if budget.nodes <= 0 or budget.seconds() <= 0:
        return None
    variables = sorted({c for terms, _, _ in rows for c, _ in terms})
    column = {c: k for k, c in enumerate(variables)}
    highs = _highs()
    for option, setting in (("mip_rel_gap", 0.0), ("mip_abs_gap", 1e-9), ("random_seed", 0),
                            ("mip_max_nodes", budget.nodes), ("mip_max_leaves", budget.nodes),
                            ("mip_max_improving_sols", IMPROVING), ("time_limit", budget.seconds())):
        highs.setOptionValue(option, setting)
    k = len(variables)
    binary = np.array([c >= 0 for c in variables])
    everything = np.arange(k, dtype=np.int32)
    highs.addVars(k, np.zeros(k), np.where(binary, 1.0, np.inf))
    highs.changeColsCost(k, everything, np.array([cost[c] if c >= 0 else 0.0 for c in variables]))
    highs.changeColsIntegrality(k, everything, np.where(binary, highspy.HighsVarType.kInteger,
                                                        highspy.HighsVarType.kContinuous))
    starts, columns, coefficients = [], [], []
    for terms, _, _ in rows:
        starts.append(len(columns))
        columns += [column[c] for c, _ in terms]
        coefficients += [a for _, a in terms]
    highs.addRows(len(rows), np.array([r[1] for r in rows], float), np.array([r[2] for r in rows], float),
                  len(columns), np.array(starts, np.int32), np.array(columns, np.int32), np.array(coefficients))
    highs.run()
    budget.nodes -= max(int(highs.getInfo().mip_node_count), 0)
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = np.asarray(highs.getSolution().col_value)
    return {c for c, v in zip(variables, values) if c >= 0 and v > 0.5}


def _cost(cells: _Cells, cell: int) -> tuple:
    return (bool(cells.is_total[cell]), cells.participants[cell], cells.heures[cell], cell)


def _secondary(cells: _Cells, suppressed: set[int]) -> None:
    """Suppress more cells until no group holds exactly one suppressed cell that an attacker
    does not know otherwise (an unpublished parent counts as unknown unless one of its
    groups gives it away: :func:`_known_parents`)."""
    changed = True
    while changed:
        changed = False
        known = _known_parents(cells, suppressed)
        for total, members, _ in cells.groups:
            group = [total, *members]
            hidden = [c for c in group if c in suppressed and c not in known]
            if len(hidden) != 1 or hidden[0] in cells.unpublished:
                continue
            candidates = [c for c in group if c not in suppressed and c not in cells.settled
                          and (cells.heures[c] > 0 or cells.participants[c] > 0)]
            if not candidates:
                continue  # every other cell is zero: the suppressed one equals a published zero… nothing to hide
            suppressed.add(min(candidates, key=lambda c: _cost(cells, c)))
            changed = True


def _known_parents(cells: _Cells, suppressed: set[int]) -> set[int]:
    """The unpublished parents an attacker computes from a group whose other cells are known."""
    known: set[int] = set()
    if not cells.unpublished:
        return known
    grown = True
    while grown:
        grown = False
        for total, members, _ in cells.groups:
            group = [total, *members]
            unknown = [c for c in group if c in suppressed and c not in known]
            if len(unknown) == 1 and unknown[0] in cells.unpublished:
                known.add(unknown[0])
                grown = True
    return known


def _widen(cells: _Cells, suppressed: set[int], cell: int) -> None:
    """Suppress the smallest published cell of every group of ``cell``."""
    for total, members, _ in cells.groups:
        group = [total, *members]
        if cell in group:
            candidates = [c for c in group if c not in suppressed and c not in cells.settled and cells.heures[c] > 0]
            if candidates:
                suppressed.add(min(candidates, key=lambda c: _cost(cells, c)))


def _audit(cells: _Cells, suppressed: set[int], primary: set[int], rule: Rule, summary: Summary,
           memo: dict | None = None) -> list[int]:
    """Cells whose attacker interval is narrower than the protection level.

    Every suppressed participant count is checked; hours are checked for the
    primary cells (the sensitive ones: secondary cells are hidden only to
    protect them). The width of a participant count that ``summary`` keeps
    when it is the narrowest is the upper end of its interval when that end is
    ``protection`` or more above the value, else the interval's width.

    Each component is one linear program (:class:`_Attacker`). Every solution
    of it is a table the attacker cannot rule out, so the tables met so far
    give each cell an interval inside its true one, and a lower bound of the
    width it would report. A cell needs no program of its own when that bound
    already shows enough protection and is no narrower than the narrowest width
    found: the failing cells and the narrowest width are exactly those of two
    programs per cell. Programs maximizing the sum of the cells still open
    settle many cells at once; small components go first, as their narrow
    widths settle most cells of the large ones.

    ``memo`` (kept by the caller between audits of patterns that share components): a
    component's program depends only on its cells, so its outcome is taken again when the
    narrowest width found before it allows (the same outcome as a program solved anew);
    the memo also keeps the groups of each cell (:func:`_groups_of`), built when needed.
    """
    if not suppressed:
        return []
    components = sorted(_components(cells, suppressed), key=len)
    memo = {} if memo is None else memo
    failing = []
    for measure, values in (("participants", cells.participants), ("heures", cells.heures)):
        new = [c for c in components if (measure, tuple(c)) not in memo]
        systems = dict(zip(map(tuple, new), _systems(cells, new, values, measure)))
        for component in components:
            key = (measure, tuple(component))
            if key in memo:
                found, audited, before, after = memo[key]
                if after < before or summary.narrowest <= before:  # its narrowest width is known enough
                    failing += found
                    summary.audited += audited
                    summary.narrowest = min(summary.narrowest, after)
                    continue
            if key[1] not in systems:  # seen before, with a narrower width found before it than now
                if "groups" not in memo:
                    memo["groups"] = _groups_of(cells)
                systems[key[1]] = _systems(cells, [component], values, measure, memo["groups"])[0]
            system = systems[key[1]]
            before, audited = summary.narrowest, summary.audited
            found = _audit_component(component, system, values, measure, primary, cells.unpublished, rule, summary)
            memo[key] = (found, summary.audited - audited, before, summary.narrowest)
            failing += found
    return sorted(set(failing))


def _audit_component(component: list[int], system: tuple, values: np.ndarray, measure: str, primary: set[int],
                     unpublished: frozenset[int], rule: Rule, summary: Summary) -> list[int]:
    """The failing cells of one component for one measure (see :func:`_audit`); unpublished
    cells are unknowns of the program, never audited."""
    value = values[component]
    if measure == "participants":
        audited = (value > 0) & ~np.isin(component, list(unpublished))
        needed = np.full(len(component), rule.protection_participants)
        summary.audited += int(audited.sum())
    else:
        audited = (value > 0) & np.isin(component, list(primary))
        needed = rule.protection_heures * value
    attacker = _Attacker(system, value)
    done = ~audited  # not audited, or audited by a program of its own

    def open_cells() -> np.ndarray:
        """The cells that the tables met do not settle."""
        high, low = attacker.high, attacker.low
        width = np.where(high >= value + needed, high, high - low)  # the reported width is at least this
        settled = width + 1e-6 >= needed
        if measure == "participants":
            settled &= width >= summary.narrowest
        return ~done & ~settled

    failing = []
    explore = True
    while (todo := open_cells()).any():
        if explore and todo.sum() > 1:  # one program that may settle many cells, while it does
            explore = attacker.explore(todo.astype(float)) and open_cells().sum() < todo.sum()
            continue
        column = int(np.flatnonzero(todo)[0])
        done[column] = True
        narrowest = summary.narrowest
        width = attacker.width(column, value[column] + needed[column])
        if measure == "participants":
            summary.narrowest = min(narrowest, width)
        if width + 1e-6 < needed[column]:
            failing.append(component[column])
        explore = summary.narrowest < narrowest  # a narrower width lowers the bar: explore again
    return failing


def _components(cells: _Cells, suppressed: set[int]) -> list[list[int]]:
    """Suppressed cells grouped by the groups that link them (each component is one LP), each sorted."""
    parent = {c: c for c in suppressed}

    def find(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for total, members, _ in cells.groups:
        hidden = [c for c in (total, *members) if c in suppressed]
        for other in hidden[1:]:
            parent[find(other)] = find(hidden[0])
    components: dict[int, list[int]] = defaultdict(list)
    for c in sorted(suppressed):
        components[find(c)].append(c)
    return [components[k] for k in sorted(components)]


def _groups_of(cells: _Cells) -> dict[int, list[int]]:
    """The groups of each cell (indices into ``cells.groups``, in order)."""
    groups_of: dict[int, list[int]] = defaultdict(list)
    for g, (total, members, _) in enumerate(cells.groups):
        for c in (total, *members):
            groups_of[c].append(g)
    return groups_of


def _systems(cells: _Cells, components: list[list[int]], values: np.ndarray, measure: str,
             groups_of: Mapping[int, list[int]] | None = None) -> list[tuple]:
    """For each component, the linear system known to an attacker: ``lower ≤ A·x ≤ upper``,
    ``x`` the component's cells in order, ``A`` in compressed rows (starts, columns,
    coefficients); published cells move to the bounds. ``groups_of`` (:func:`_groups_of`):
    only the groups of the components' cells are read (the same rows, in the same order)."""
    position = {c: (k, column) for k, component in enumerate(components) for column, c in enumerate(component)}
    rows = [([0], [], [], [], []) for _ in components]  # starts, columns, coefficients, lower, upper

    def add(terms: list[tuple[int, float]], lower: float, upper: float) -> None:
        """The row ``lower ≤ Σ coefficient·cell ≤ upper`` over ``terms`` (cell, coefficient)."""
        hidden = [(*position[c], a) for c, a in terms if c in position]  # (component, column, coefficient)
        if not hidden:
            return
        known = sum(a * values[c] for c, a in terms if c not in position)
        starts, columns, coefficients, lowers, uppers = rows[hidden[0][0]]
        columns += [column for _, column, _ in hidden]
        coefficients += [a for _, _, a in hidden]
        starts.append(len(columns))
        lowers.append(lower - known)
        uppers.append(upper - known)

    groups = (cells.groups if groups_of is None else
              [cells.groups[g] for g in sorted({g for c in position for g in groups_of[c]})])
    for total, members, people_exact in groups:
        if total not in position and not any(m in position for m in members):
            continue
        terms = [(total, -1.0), *((m, 1.0) for m in members)]
        if measure == "heures" or people_exact:  # Σ members − total = 0
            add(terms, 0.0, 0.0)
        else:  # people counted in several cells: total ≤ Σ members, and each member ≤ total
            add(terms, 0.0, np.inf)
            for m in members:
                add([(m, 1.0), (total, -1.0)], -np.inf, 0.0)
    return [(np.array(starts[:-1], np.int32), np.array(columns, np.int32), np.array(coefficients, float),
             np.array(lowers, float), np.array(uppers, float))
            for starts, columns, coefficients, lowers, uppers in rows]


def _highs():
    """A HiGHS solver, quiet and on one thread. Its English banner, printed on the standard
    output by the first solver of a process before any option can be set, is kept off the
    terminal. One thread: a process forked after HiGHS started its worker threads (the build
    computes in a forked child, and a test process builds many times) inherits a scheduler
    without them, and a mixed-integer program there would wait for them for ever; one
    thread also keeps the branch and bound deterministic, and the other core is the build's."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    return highs


class _Attacker:
    """The linear program of one component: what an attacker can derive about its cells
    (``x ≥ 0`` and the component's system). HiGHS keeps the model and its basis between
    objectives: the primal simplex goes on from the previous optimum in a few pivots.

    ``high`` and ``low`` hold, per cell, the largest and smallest values of the tables
    met so far that the attacker cannot rule out: the true one first (unless the
    published figures contradict the system: then the program alone speaks)."""

    def __init__(self, system: tuple, value: np.ndarray):
        import highspy  # loaded only when there is something to audit

        starts, columns, coefficients, lower, upper = system
        self._highs = _highs()
        for option, setting in (("presolve", "off"), ("simplex_strategy", 4)):
            self._highs.setOptionValue(option, setting)
        n = len(value)
        self._highs.addVars(n, np.zeros(n), np.full(n, np.inf))
        self._highs.addRows(len(lower), lower, upper, len(columns), starts, columns, coefficients)
        self._status = highspy.HighsModelStatus
        self._columns = np.arange(n, dtype=np.int32)
        activity = np.add.reduceat(coefficients * value[columns], starts) if len(starts) else np.zeros(0)
        slack = 1e-9 * (1 + np.abs(activity))
        consistent = bool(np.all(activity >= lower - slack) and np.all(activity <= upper + slack))
        self.high = value.astype(float) if consistent else np.full(n, -np.inf)
        self.low = value.astype(float) if consistent else np.full(n, np.inf)

    def _minimum(self, cost: np.ndarray) -> float | None:
        """Minimum of ``cost·x`` (−inf: unbounded; None: no optimum), its solution met."""
        highs = self._highs
        highs.changeColsCost(len(cost), self._columns, cost)
        highs.run()
        if highs.getModelStatus() not in (self._status.kOptimal, self._status.kUnbounded):
            highs.clearSolver()  # the previous basis led nowhere: solve again from scratch
            highs.run()
        status = highs.getModelStatus()
        if status == self._status.kUnbounded:
            return -np.inf
        if status != self._status.kOptimal:
            return None
        solution = np.asarray(highs.getSolution().col_value)
        np.maximum(self.high, solution, out=self.high)
        np.minimum(self.low, solution, out=self.low)
        return highs.getInfo().objective_function_value

    def explore(self, weights: np.ndarray) -> bool:
        """Meet the table that maximizes ``weights·x``; False when there is none (unbounded…)."""
        return self._minimum(-weights) not in (None, -np.inf)

    def width(self, column: int, enough: float) -> float:
        """Width of the interval of cell ``column``; the upper end only when it reaches ``enough``
        (value + protection); inf when unbounded or when HiGHS finds no optimum."""
        cost = np.zeros(len(self._columns))
        cost[column] = -1.0
        high = self._minimum(cost)
        if high is None:
            return float("inf")
        high = -high
        if high >= enough:
            return float(high)
        if self.low[column] <= 0:  # a table met has it at zero, its lower bound
            return float(high)
        cost[column] = 1.0
        low = self._minimum(cost)
        return float("inf") if low is None else float(high - low)


def _protect_key_figures(key_figures: pd.DataFrame, rows: pd.DataFrame, known: dict[str, dict[str, float]],
                         secret_perimeters: set[str], rule: Rule) -> pd.DataFrame:
    """Key figures with the perimeters' and the linked breakdowns' secrecy."""
    key = key_figures.copy()
    secret_cells = rows[rows["secret"]]
    hidden_tables = set(zip(secret_cells["perimetre"], secret_cells["dimension"]))
    hidden_cells = set(zip(secret_cells["perimetre"], secret_cells["dimension"], secret_cells["code"]))
    secret = []
    for perimeter, code in zip(key["perimetre"], key["indicateur"]):
        figure = catalogue.key_figure(code)  # fails closed on an unknown code
        hidden = perimeter in secret_perimeters
        if figure.linked is not None and figure.linked.code is None:
            hidden |= (perimeter, figure.linked.dimension) in hidden_tables
        elif figure.linked is not None:
            hidden |= (perimeter, figure.linked.dimension, figure.linked.code) in hidden_cells
        if code in known:
            hidden |= 0 < known[code].get(perimeter, 0) < rule.seuil
        secret.append(hidden)
    key["secret"] = secret
    key["valeur"] = key["valeur"].where(~key["secret"])
    return key


def _known_denominators(rows: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Participants a share is computed on, per perimeter, for the key figures whose
    denominator is not the perimeter's participants (:attr:`catalogue.KeyFigure.denominator`:
    QPV known, outcome known)."""
    out = {}
    for code, figure in catalogue.KEY_FIGURES.items():
        if figure.denominator is not None:
            table = rows[rows["dimension"] == figure.denominator.dimension]
            counted = table[table["code"].map(figure.denominator.counts).astype(bool)]
            out[code] = counted.groupby("perimetre")["participants"].sum().to_dict()
    return out
