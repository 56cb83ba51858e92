"""Stage 5 — drawing: each figure specification drawn once (matplotlib, geopandas), on both cores, through a content-addressed cache."""
