"""Fictitious, deterministic demo data: `bista demo` (see bista.demo.generator)."""
