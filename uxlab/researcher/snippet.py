"""A variant's recorder page: the snippet an external prototype must include, and a live check
that the prototype's page loads in a frame and its recorder says hello to uxlab."""

from __future__ import annotations

from urllib.parse import urljoin

from flask import abort, render_template, request, url_for

from uxlab.participants.runner_config import origin_of, prototype_root
from uxlab.researcher.blueprint import bp, load_study
from uxlab.security_headers import allow_frames
from uxlab.studies.runnable import DEFAULT_START, is_external

#: How long the check waits for the recorder's hello by default, and at most (seconds).
CHECK_WAIT_S = 10
MAX_CHECK_WAIT_S = 30


def recorder_snippet(host_url: str) -> str:
    """The tag an external prototype's pages include (docs/recording.md)."""
    origin = origin_of(host_url)
    src = urljoin(host_url, url_for("static", filename="recorder.js"))
    return f'<script src="{src}" data-uxlab-origin="{origin}"></script>'


@bp.route("/<int:study_id>/variants/<key>/recorder")
def variant_recorder(study_id: int, key: str):
    """Show the snippet to paste and check that the prototype's recorder answers."""
    study = load_study(study_id)
    variant = next((v for v in study.variants if v.key == key), None)
    if variant is None:
        abort(404)
    root = prototype_root(variant.prototype)
    start = study.tasks[0].start_page if study.tasks and study.tasks[0].start_page \
        else DEFAULT_START
    wait = request.args.get("wait", type=int) or CHECK_WAIT_S
    allow_frames(origin_of(root))
    return render_template(
        "researcher/variant_recorder.html", study=study, variant=variant,
        external=is_external(variant.prototype), snippet=recorder_snippet(request.host_url),
        check_url=urljoin(root, start), check_origin=origin_of(root),
        wait_ms=min(max(wait, 1), MAX_CHECK_WAIT_S) * 1000)
