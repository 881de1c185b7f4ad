"""Security headers on every response: Content-Security-Policy, nosniff, HSTS over HTTPS.

The policy is strict by default: everything from uxlab's own origin, scripts only from files
(an inline ``<script>`` runs only with the request's nonce, ``csp_nonce()`` in templates; JSON
data islands are not scripts and need none), no plug-ins, and no page of uxlab inside another
site's frame (``frame-ancestors 'self'``), so a hostile page cannot click through a researcher's
screen. A page that frames a prototype names the prototype's origin with :func:`allow_frames`,
and only that origin may be framed.

Two kinds of response get their own policy, on purpose:

- a **prototype page** (``/prototypes/…``) is the website under test: its own inline scripts and
  styles, and the recorder uxlab injects, must run, so only the framing rule applies
  (:func:`serve_as_prototype`). Its files come from the studies folder, never from a web form.
- styles: inline ``style`` attributes and ``<style>`` elements are allowed everywhere, because the
  charts are matplotlib's inline SVG, which styles every shape that way; CSS cannot run script.

HSTS is sent only when the request itself came over HTTPS (``request.is_secure``; behind a
reverse proxy, set ``UXLAB_PROXY_FIX`` so that ``X-Forwarded-Proto`` is believed), because a
plain-HTTP answer carrying it would be ignored anyway and a local ``http://127.0.0.1`` must keep
working.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, g, request

HSTS = "max-age=31536000; includeSubDomains"
#: An origin as a CSP source: scheme, host (a name or a bracketed IPv6 address), optional port.
_ORIGIN = re.compile(r"https?://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?",
                     re.IGNORECASE)


def csp_nonce() -> str:
    """The nonce of this request's policy (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def allow_frames(*origins: str) -> None:
    """Let this response's page frame ``origins`` (``scheme://host[:port]``) besides its own.

    Anything else (a path, a ``;`` that would start another directive) is left out.
    """
    valid = {origin for origin in origins if _ORIGIN.fullmatch(origin)}
    g.csp_frame_origins = sorted(set(getattr(g, "csp_frame_origins", ())) | valid)


def serve_as_prototype() -> None:
    """Mark this response as a prototype page: its own scripts run, only framing is limited."""
    g.csp_prototype = True


def content_security_policy() -> str:
    """The policy of the current response (see the module docstring)."""
    if getattr(g, "csp_prototype", False):
        return "frame-ancestors 'self'"
    return page_policy(csp_nonce(), getattr(g, "csp_frame_origins", ()))


def page_policy(nonce: str, frame_origins: tuple[str, ...] | list[str] = ()) -> str:
    """The policy of a uxlab page (or API answer) whose scripts carry ``nonce`` and which may
    frame ``frame_origins`` besides its own origin."""
    frames = " ".join(["'self'", *frame_origins])
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        f"frame-src {frames}",
        "frame-ancestors 'self'",
    ])


def security_headers(policy: str, secure: bool) -> dict[str, str]:
    """The security headers of an answer with ``policy``, sent over HTTPS if ``secure``."""
    headers = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin"}
    if secure:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def add_security_headers(response: Response) -> Response:
    for name, value in security_headers(content_security_policy(), request.is_secure).items():
        if name == "Referrer-Policy":  # a view may have chosen its own
            response.headers.setdefault(name, value)
        else:
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response of ``app``; trust one proxy hop if configured."""
    app.after_request(add_security_headers)
    app.add_template_global(csp_nonce)
    hops = int(app.config.get("PROXY_FIX", 0) or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_proto=hops, x_host=hops, x_port=hops)
