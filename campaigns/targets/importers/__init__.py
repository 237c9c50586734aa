"""Importers of real data about targets from outside services (see docs/formats.md)."""
