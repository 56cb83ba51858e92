"""Statistical confidentiality at scale: the audit's shortcuts change none of its verdicts.

The audit skips the programs of the cells that the tables met along the way
already settle (see :func:`panorama.protect.confidentiality._audit`). Here it is
compared with the audit by definition: for every suppressed cell, fresh
programs (scipy) for the ends of its interval, on the example's cells under
rules strict enough to make cells fail.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import linprog

from panorama.compute import indicators
from panorama.core.resources import example_data_root
from panorama.input import validation
from panorama.protect import confidentiality
from panorama.protect.confidentiality import Rule

YEAR = 2019


@pytest.fixture(scope="module")
def example():
    dataset = validation.load_year(example_data_root(), YEAR)
    facts = indicators.fact_table(dataset)
    rows = indicators.breakdowns(dataset, facts).reset_index(drop=True)
    totals = confidentiality._perimeter_totals(indicators.key_figures(dataset, facts))
    return rows, totals


def _definition(cells, suppressed: set[int], primary: set[int], rule: Rule) -> tuple[list[int], int, float]:
    """Failing cells, audited counts and narrowest width: two programs per cell, from scratch."""
    failing, audited, narrowest = set(), 0, np.inf
    for component in confidentiality._components(cells, suppressed):
        column = {c: i for i, c in enumerate(component)}
        for measure, values in (("participants", cells.participants), ("heures", cells.heures)):
            a_eq, b_eq, a_ub, b_ub = [], [], [], []

            def row(terms):
                coefficients, rhs = np.zeros(len(column)), 0.0
                for c, sign in terms:
                    if c in column:
                        coefficients[column[c]] += sign
                    else:
                        rhs -= sign * values[c]
                return coefficients, rhs

            for total, members, people_exact in cells.groups:
                coefficients, rhs = row([(total, -1.0), *((m, 1.0) for m in members)])
                if not coefficients.any():
                    continue
                if measure == "heures" or people_exact:
                    a_eq.append(coefficients), b_eq.append(rhs)
                    continue
                a_ub.append(-coefficients), b_ub.append(-rhs)
                for m in members:
                    coefficients, rhs = row([(m, 1.0), (total, -1.0)])
                    if coefficients.any():
                        a_ub.append(coefficients), b_ub.append(rhs)
            system = {"A_eq": np.array(a_eq) if a_eq else None, "b_eq": b_eq or None,
                      "A_ub": np.array(a_ub) if a_ub else None, "b_ub": b_ub or None}
            for c, i in column.items():
                if values[c] <= 0 or (measure == "heures" and c not in primary):
                    continue
                needed = rule.protection_participants if measure == "participants" \
                    else rule.protection_heures * values[c]
                objective = np.zeros(len(column))
                objective[i] = 1.0
                high = linprog(-objective, bounds=(0, None), method="highs", **system)
                if high.status != 0:
                    width = np.inf
                elif -high.fun >= values[c] + needed:
                    width = -high.fun
                else:
                    low = linprog(objective, bounds=(0, None), method="highs", **system)
                    width = np.inf if low.status != 0 else -high.fun - low.fun
                if measure == "participants":
                    audited += 1
                    narrowest = min(narrowest, width)
                if width + 1e-6 < needed:
                    failing.add(c)
    return sorted(failing), audited, narrowest


@pytest.mark.parametrize("rule, extra, inconsistent", [
    (Rule(), 0, False),
    (Rule(protection=10, protection_heures=0.5), 0, False),
    (Rule(seuil=11, protection=30, protection_heures=1.5), 40, False),
    (Rule(seuil=8, protection=30, protection_heures=1.5), 20, True),
])
def test_the_audit_decides_as_two_programs_per_cell(example, rule, extra, inconsistent):
    rows, totals = example
    cells = confidentiality._cells(rows, totals)
    draw = random.Random(len(rows))
    if inconsistent:  # figures that contradict the groups: the true table is no longer a solution
        for c in draw.sample(range(len(cells.participants)), 20):
            cells.participants[c] += draw.choice([-3, 2, 7])
            cells.heures[c] *= draw.choice([0.5, 1.3])
    primary = confidentiality._primary(rows, totals, rule)
    suppressed = primary | set(draw.sample(range(len(cells.participants)), extra))
    confidentiality._secondary(cells, suppressed)
    summary = confidentiality.Summary()
    failing = confidentiality._audit(cells, suppressed, primary, rule, summary)
    expected, audited, narrowest = _definition(cells, suppressed, primary, rule)
    assert failing == expected
    assert summary.audited == audited
    assert summary.narrowest == pytest.approx(narrowest, abs=1e-7)
    if not inconsistent:  # (contradictory figures may leave no table at all: then nothing is recoverable)
        assert bool(failing) == (rule != Rule())  # the stricter rules do make cells fail

