"""Stage 6 — rendering and writing: HTML and PDF from the documents, the open-data package, and the atomic, exclusive publication of an edition."""
