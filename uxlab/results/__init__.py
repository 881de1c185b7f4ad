"""The results pages' data: a study's results under filters, and the review of one session.

Services for the researcher UI (``uxlab.researcher.results``): they take a database session and
return plain data, so the handlers only parse the request and render.
"""

from uxlab.results.page import ResultsPage, build_results
from uxlab.results.review import SessionReview, find_session, session_review

__all__ = ["ResultsPage", "SessionReview", "build_results", "find_session", "session_review"]
