"""The researcher UI: studies, their structure, participant links and access."""

from uxlab.researcher import clickmaps, exports, links, results, sharing, structure, views  # noqa: F401  (each module adds routes to bp)
from uxlab.researcher.blueprint import bp

__all__ = ["bp"]
