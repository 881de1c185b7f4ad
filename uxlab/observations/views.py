"""The observations blueprint with all its routes (each module adds its own to ``bp``)."""

from uxlab.observations import note_views, problem_views  # noqa: F401  (they add routes to bp)
from uxlab.observations.blueprint import bp

__all__ = ["bp"]
