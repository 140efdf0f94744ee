"""Cari's web front end (Flask). See ``create_app``."""
