"""Stage 4 — composition: documents (blocks, texts, tables and figure specifications) built from protected results; one module per publication (panorama, département sheet, studies)."""
