"""Alembic migrations of the secretariat schema (run by ``Database.upgrade``)."""
