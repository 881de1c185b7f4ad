"""Where a reloaded task page puts the participant back: the prototype page they were on.

Not the task's start page: sending a participant back there mid-task would cost them their way
and count a detour they never made. The server takes the page from the attempt's stored
``navigate`` events, so it holds across a server restart and in any worker; the runner may know a
later page from events still in its offline queue and prefers that one (docs/recording.md). The
page a reload shows again is marked ``restored`` by the runner, and the metrics leave it out.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from uxlab.models import Event
from uxlab.participants.prototypes import local_file


def last_page(session: Session, attempt_id: int) -> str | None:
    """Return the URL (as recorded) of the last page the attempt's events say was shown."""
    return session.scalar(
        select(Event.url)
        .where(Event.attempt_id == attempt_id, Event.type == "navigate", Event.url.is_not(None))
        .order_by(Event.client_ts_ms.desc(), Event.tab_id.desc(), Event.seq.desc(),
                  Event.id.desc())
        .limit(1))


def resume_url(page: str | None, root: str, local_prototype: str | None,
               studies_dir: str | Path) -> str | None:
    """Return the absolute URL to open ``page`` (a recorded URL) in the task's frame, or None.

    A recorded URL is what a prototype page reported, so it is not trusted: it must lie under the
    prototype's ``root`` (same scheme, host and folder: never another site or a ``javascript:``
    URL), and for a local prototype (``local_prototype``, its folder under ``studies_dir``) name
    a file that is there to serve. Otherwise None, and the task opens on its start page.
    """
    if not page:
        return None
    url = urljoin(root, page)
    if not url.startswith(root) or urlsplit(url).scheme not in ("http", "https"):
        return None
    if local_prototype is not None:
        inside = unquote(urlsplit(url).path[len(urlsplit(root).path):])
        if local_file(studies_dir, f"{local_prototype.strip('/')}/{inside}") is None:
            return None
    return url
