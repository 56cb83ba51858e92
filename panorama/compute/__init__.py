"""Stage 2 — computation: indicators as pure functions of a validated dataset, for every perimeter at once."""
