"""The researcher UI: studies, their structure, participant links and access."""

from uxlab.researcher import (  # noqa: F401  (each module adds routes to bp)
    clickmaps,
    copies,
    exports,
    links,
    results,
    scales,
    sharing,
    snippet,
    structure,
    views,
)
from uxlab.researcher.blueprint import bp

__all__ = ["bp"]
