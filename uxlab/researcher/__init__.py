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
from uxlab.screening import views as screening_views  # noqa: F401  (adds routes to bp)

__all__ = ["bp"]
