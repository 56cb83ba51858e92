"""Stage 3 — statistical confidentiality: every table published for a year protected jointly, and the protected results that publications are composed from."""
