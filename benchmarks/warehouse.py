"""Benchmark of the warehouse: import of one flat tracking export of about N contracts
(``panorama importer``), and a build read from the warehouse against the same build read
from the CSV folder (``build --entrepot`` / ``build --data``).

The export is made from synthetic data of the region's départements (``panorama example
--contrats N --annee 2019 --departement 75 …``):
the five tables joined into one flat CSV sheet, one row per contract (an operation without
contract on a row of its own), as a tracking tool exports it, with a profile naming its
headers. Run: ``python benchmarks/warehouse.py [--contrats N] [--runs R] [--dossier DIR]``;
record the printed table in ``benchmarks/RESULTS.md`` with the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench import PANORAMA, run_command  # noqa: E402

YEAR = 2019
REGION = ("75", "77", "78", "91", "92", "93", "94", "95")  # the configuration's by default: the build reads them only
SHARED = {"intitule": "operations", "nom": None, "siret": None, "departement": None, "commune": "operations"}


def flat_export(folder: Path, out: Path) -> Path:
    """One flat CSV of ``folder``'s year (headers ``table.champ``) and its profile; returns the profile."""
    import pandas as pd

    from panorama.input.dataset import TABLES
    from panorama.input.validation import COLUMNS

    tables = {t: pd.read_csv(folder / str(YEAR) / f"{t}.csv", sep=";", dtype=str, keep_default_na=False)
              for t in TABLES}
    qualified = {t: tables[t].rename(columns={c: f"{t}.{c}" for c in tables[t] if not c.endswith("_id")
                                              or c == "participant_id" and t == "participants"})
                 for t in TABLES}
    flat = (qualified["operations"].merge(qualified["donneurs_ordre"], on="donneur_ordre_id", how="left")
            .merge(qualified["contrats"], on="operation_id", how="left")
            .merge(qualified["entreprises"], on="entreprise_id", how="left")
            .merge(qualified["participants"], left_on="participant_id", right_on="participants.participant_id",
                   how="left").drop(columns=["participant_id"]))
    flat.fillna("").to_csv(out / "export.csv", sep=";", index=False)
    lines = ["[colonnes]"]
    for table, columns in COLUMNS.items():
        for column in columns:
            name = f"{table}.{column.name}"
            header = name if name in flat else column.name
            lines.append(f'"{name}" = "{header}"')
    lines += ["", "[identite]", 'identifiant = "participants.participant_id"']
    (out / "profil.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out / "profil.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contrats", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dossier", type=Path, default=None, help="dossier de travail (temporaire sinon)")
    options = parser.parse_args()
    work = options.dossier or Path(tempfile.mkdtemp(prefix="panorama-bench-entrepot-"))
    data = work / "donnees"
    if not data.exists():
        subprocess.run([*PANORAMA, "example", "--out", str(data), "--contrats", str(options.contrats),
                        "--annee", str(YEAR), *(f"--departement={code}" for code in REGION)],
                       check=True, stdout=subprocess.DEVNULL)
    profile = flat_export(data, work)
    os.environ.setdefault("PANORAMA_CLE", "cle-de-mesure-seulement-0123456789")
    store = work / "entrepot.duckdb"
    rows = []
    for label, command in (
            ("import d'un export à plat", [*PANORAMA, "importer", str(work / "export.csv"), "--profil", str(profile),
                                          "--source", "mesure", "--annee", str(YEAR), "--entrepot", str(store)]),
            ("validation depuis le dossier CSV", [*PANORAMA, "validate", str(YEAR), "--data", str(data)]),
            ("validation depuis l'entrepôt", [*PANORAMA, "validate", str(YEAR), "--entrepot", str(store)]),
            ("build depuis le dossier CSV", [*PANORAMA, "build", str(YEAR), "--data", str(data),
                                             "--out", str(work / "csv")]),
            ("build depuis l'entrepôt", [*PANORAMA, "build", str(YEAR), "--entrepot", str(store),
                                         "--out", str(work / "entrepot")])):
        runs = [run_command(command) for _ in range(options.runs)]
        rows.append((label, statistics.median(t for t, _ in runs), max(m for _, m in runs)))
    print(f"| mesure ({options.contrats} contrats demandés) | temps médian | pic |\n|---|---|---|")
    for label, seconds, peak in rows:
        print(f"| {label} | {seconds:.2f} s | {peak:.0f} Mio |")


if __name__ == "__main__":
    main()
