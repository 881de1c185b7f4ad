"""Researcher accounts and who may see or change which study."""
