"""Benchmark: prints the wall time (median of several runs) and peak memory of
``panorama --help``, of a full build of the example year (HTML + PDF + open data)
and of the eight département sheets.

Run: ``python benchmarks/bench.py [--runs N]``; record the printed figures in
``benchmarks/RESULTS.md`` with the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PANORAMA = [sys.executable, "-m", "panorama.cli"]


def measure(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall time (s) and peak RSS of the child (MiB) over ``runs`` runs."""
    times = []
    peak = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine : {platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}")
    wall, _ = measure([*PANORAMA, "--help"], max(5, args.runs))
    print(f"panorama --help : {wall:.3f} s")
    with tempfile.TemporaryDirectory() as out:
        wall, peak = measure([*PANORAMA, "build", "2019", "--out", out], args.runs)
        print(f"panorama build 2019 (exemple, HTML + PDF + données) : {wall:.2f} s, pic mémoire {peak:.0f} Mio")
        pdf = Path(out) / "2019" / "panorama-2019.pdf"
        print(f"taille du PDF : {pdf.stat().st_size / 1e6:.2f} Mo")
        wall, peak = measure([*PANORAMA, "build", "2019", "--departements", "--out", out], args.runs)
        print(f"panorama build 2019 --departements (8 fiches PDF + HTML) : {wall:.2f} s, pic mémoire {peak:.0f} Mio")


if __name__ == "__main__":
    main()
