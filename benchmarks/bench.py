"""Benchmark of panorama: wall time (median of several runs) and peak memory.

Measures ``panorama --help``; the stages of a panorama build of the example year
(validation + indicators, charts, maps, HTML, PDF); the full build of the example
(HTML + PDF + open data) cold and with its figure cache; the eight département
sheets; and validation + indicators on synthetic national data of 100 k, 1 M and
2 M contracts (written once by ``panorama example --contrats N`` into ``--donnees``).

Run: ``python benchmarks/bench.py [--runs N] [--donnees DIR] [--sans-echelle]``;
record the printed table in ``benchmarks/RESULTS.md`` with the machine and the date.
Only public tools are used: ``time.perf_counter`` and ``resource.getrusage``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PANORAMA = [sys.executable, "-m", "panorama.cli"]
SCALES = (100_000, 1_000_000, 2_000_000)
# A child that runs a command and prints the peak RSS (KiB) of its process tree's largest member.
_PEAK = ("import resource, subprocess, sys; "
         "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def run_command(command: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of one run of ``command``."""
    started = time.perf_counter()
    peak = subprocess.run([sys.executable, "-c", _PEAK, *command], check=True, capture_output=True, text=True)
    return time.perf_counter() - started, int(peak.stdout) / 1024


def median_command(command: list[str], runs: int, before=None) -> tuple[float, float]:
    """Median wall time and largest peak RSS over ``runs`` runs (``before()`` runs before each)."""
    times, peaks = [], []
    for _ in range(runs):
        if before is not None:
            before()
        wall, peak = run_command(command)
        times.append(wall)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def stage_runs(script: str, args: list[str], runs: int) -> dict[str, float]:
    """Medians of the figures printed (as JSON) by ``python -c script args`` over ``runs`` runs."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", script, *args], check=True, capture_output=True, text=True)
        for key, value in json.loads(out.stdout.strip().splitlines()[-1]).items():
            samples.setdefault(key, []).append(value)
    return {key: (max(values) if key.startswith("pic") else statistics.median(values))
            for key, values in samples.items()}


# Validation + indicators of one year (then the statistical secret), in a fresh process.
_INDICATORS = """
import json, resource, sys, time
from pathlib import Path
from panorama.protect import confidentiality
from panorama.compute import indicators
from panorama.input import validation
root, year = Path(sys.argv[1]), int(sys.argv[2])
t0 = time.perf_counter()
ds = validation.load_year(root, year)
t1 = time.perf_counter()
key, rows = indicators.tables(ds)
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
summary = confidentiality.protect(rows, key, confidentiality.Rule())[2]
t3 = time.perf_counter()
print(json.dumps({"validation": t1 - t0, "indicateurs": t2 - t1, "validation_indicateurs": t2 - t0,
                  "pic_validation_indicateurs": peak, "secret": t3 - t2, "secondaires": summary.secondary,
                  "perte_participants": summary.loss[0], "perte_heures": summary.loss[1],
                  "pic_total": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "contrats": len(ds.contrats)}))
"""

# The stages of a panorama build of the example, in one process, without the figure cache.
_STAGES = """
import json, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
from panorama.draw import figures, maps
from panorama.compose import panorama_report
from panorama import pipeline
from panorama.output import render
from panorama.compose.commentary import Texts
from panorama.core.config import Config
from panorama.core.publications import PANORAMA
from panorama.input.source import Example
spent = {"cartes": 0.0}
def timed(function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent["cartes"] += time.perf_counter() - started
    return wrapper
maps.draw = timed(maps.draw)
t1 = time.perf_counter()
results = pipeline.load_results(PANORAMA, int(sys.argv[1]), Example(), Config())
t2 = time.perf_counter()
document = figures.Figures().draw(panorama_report.build_document(results, Texts(None)),
                                  lambda specs: [figures.draw(spec) for spec in specs])  # in this process
t3 = time.perf_counter()
html = render.render_html(document, pdf=False)
t4 = time.perf_counter()
with tempfile.TemporaryDirectory() as out:
    render.write_pdf(render.render_html(document, pdf=True), Path(out) / "panorama.pdf")
t5 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "validation_indicateurs_secret": t2 - t1,
                  "graphiques": t3 - t2 - spent["cartes"], "cartes": spent["cartes"], "html": t4 - t3,
                  "pdf": t5 - t4}))
"""


def dataset(root: Path, contracts: int) -> Path:
    """``root/france-N`` written by ``panorama example --contrats N --annee 2019`` unless present."""
    folder = root / f"france-{contracts}"
    if not (folder / "2019" / "contrats.csv").exists():
        subprocess.run([*PANORAMA, "example", "--out", str(folder), "--contrats", str(contracts),
                        "--annee", "2019"], check=True, stdout=subprocess.DEVNULL)
    return folder


def main() -> None:
    """Measure and print one line per figure (French, as recorded in RESULTS.md)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="exécutions par mesure (médiane)")
    parser.add_argument("--donnees", type=Path, default=Path(tempfile.gettempdir()) / "panorama-bench",
                        help="dossier des jeux nationaux générés (réutilisés d'une exécution à l'autre)")
    parser.add_argument("--sans-echelle", action="store_true", help="sans les mesures à 100 k, 1 M et 2 M")
    args = parser.parse_args()
    runs = args.runs
    print(f"machine : {platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}, "
          f"{runs} exécutions par mesure (médiane)")
    wall, _ = median_command([*PANORAMA, "--help"], max(5, runs))
    print(f"panorama --help : {wall:.3f} s")

    stages = stage_runs(_STAGES, ["2019"], runs)
    print("étapes d'une production du panorama (un processus, sans cache) : "
          + " ; ".join(f"{name.replace('_', ' + ')} {value:.2f} s" for name, value in stages.items()))
    example = stage_runs(_INDICATORS, [str(Path("examples/donnees")), "2019"], runs)
    print(f"exemple 2019 ({example['contrats']:.0f} contrats) : validation + indicateurs "
          f"{example['validation_indicateurs']:.2f} s, pic {example['pic_validation_indicateurs']:.0f} Mio ; "
          f"secret statistique {example['secret']:.2f} s, {example['secondaires']:.0f} cases secondaires, qui "
          f"cachent {example['perte_participants']:.3%} des participants et {example['perte_heures']:.3%} des heures")

    with tempfile.TemporaryDirectory() as tmp:
        out, cache = Path(tmp) / "sortie", Path(tmp) / "cache"
        os.environ["XDG_CACHE_HOME"] = str(cache)  # the builds' figure cache, emptied for a cold build

        def clean() -> None:
            for folder in (out, cache):
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()

        for label, extra in (("panorama build 2019 (HTML + PDF + données ouvertes)", []),
                             ("panorama build 2019 --departements (8 fiches PDF + HTML)", ["--departements"])):
            command = [*PANORAMA, "build", "2019", *extra, "--out", str(out)]
            cold = median_command(command, runs, before=clean)
            warm = median_command(command, runs)
            print(f"{label} : {cold[0]:.2f} s à froid, cache vide (pic {cold[1]:.0f} Mio) ; "
                  f"{warm[0]:.2f} s à l'identique, figures du cache (pic {warm[1]:.0f} Mio)")
        clean()
        run_command([*PANORAMA, "build", "2019", "--out", str(out)])
        print(f"taille du PDF : {(out / '2019' / 'panorama-2019.pdf').stat().st_size / 1e6:.2f} Mo")
        for year in ("2017", "2018"):
            run_command([*PANORAMA, "build", year, "--out", str(out)])
        wall, peak = median_command([*PANORAMA, "site", "2019", "--out", str(out)], runs)
        site = out / "2019" / "site"
        weight = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
        print(f"panorama site 2019 (trois années) : {wall:.2f} s (pic {peak:.0f} Mio), {weight / 1e6:.2f} Mo")

    if args.sans_echelle:
        return
    args.donnees.mkdir(parents=True, exist_ok=True)
    base = None
    for contracts in SCALES:
        figures = stage_runs(_INDICATORS, [str(dataset(args.donnees, contracts)), "2019"],
                             runs if contracts < 2_000_000 else max(3, runs // 2))
        ratio = ""
        if contracts == 2_000_000 and base is not None:
            ratio = f" ; {figures['validation_indicateurs'] / base:.2f} × 1 M"
        if contracts == 1_000_000:
            base = figures["validation_indicateurs"]
        print(f"{figures['contrats']:.0f} contrats (France entière) : validation {figures['validation']:.2f} s "
              f"+ indicateurs {figures['indicateurs']:.2f} s = {figures['validation_indicateurs']:.2f} s, "
              f"pic {figures['pic_validation_indicateurs']:.0f} Mio{ratio} ; "
              f"secret statistique {figures['secret']:.2f} s (pic {figures['pic_total']:.0f} Mio), "
              f"{figures['secondaires']:.0f} cases secondaires, qui cachent {figures['perte_participants']:.3%} "
              f"des participants et {figures['perte_heures']:.3%} des heures des cases")


if __name__ == "__main__":
    main()
