"""Importers of real data about targets from outside services (see shared/formats.md)."""
