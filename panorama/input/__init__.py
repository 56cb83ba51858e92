"""Stage 1 — source and validation: where a year's raw tables come from (a folder, the embedded example), how they are read, and the contract v1 that turns them into a typed dataset."""
