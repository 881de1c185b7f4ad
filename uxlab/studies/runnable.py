"""Can a study run? Its local prototypes checked against the files in the studies folder.

:func:`uxlab.studies.spec.parse_study` judges a definition on its own; this module judges it
against what a participant would be shown. A variant whose prototype folder does not exist, a
task that starts on a page the prototype lacks, or a success page / error rule that no page of
the prototype can reach would put a participant in front of "Not Found" while their task is
timed. ``uxlab study validate``, the variant and task forms, uploading a study file and "Start
study" all ask :func:`prototype_problems`, so they agree.

What "reach" means: a URL rule is compared with the paths of the prototype's files (those uxlab
serves, relative to the prototype folder; a folder with an ``index.html`` also answers as
``folder/``). ``exact`` and ``prefix`` compare the path part of the rule; a ``regex`` is searched
in the file paths, and where it spells a query (``\\?``) only the part before it is used, since
queries are made by the pages, not stored as files. External prototypes (http(s) URLs) are not
checked here: the researcher checks the recorder snippet from the variant page.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from uxlab.recording.rules import criterion_for_variant
from uxlab.studies.problems import Problem, StudyDefinitionError
from uxlab.studies.spec import StudySpec, TaskSpec, VariantSpec

#: The file types a prototype is made of (pages, styles, scripts, images, fonts, media): uxlab
#: serves these and nothing else from the studies folder, whatever the case of the extension, so
#: a study definition, its backup (``study.toml.bak``, ``x.toml~``), notes or a tool never leave it.
SERVED_SUFFIXES = frozenset({
    ".html", ".htm", ".css", ".js", ".mjs",
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".bmp",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".mp4", ".webm", ".ogv", ".ogg", ".oga", ".mp3", ".wav", ".m4a", ".vtt",
})
#: A prototype folder with more files than this is listed only this far (a runaway node_modules).
MAX_FILES = 20_000
DEFAULT_START = "index.html"


def is_external(prototype: str) -> bool:
    """Whether ``prototype`` is an http(s) URL (not a folder uxlab serves)."""
    return prototype.startswith(("http://", "https://"))


def is_served(relative_path: str) -> bool:
    """Whether uxlab serves the prototype file at ``relative_path`` (POSIX, no leading /)."""
    parts = relative_path.split("/")
    return not any(part.startswith(".") for part in parts) \
        and Path(parts[-1]).suffix.lower() in SERVED_SUFFIXES


@dataclass(frozen=True)
class RunProblem:
    """Why a study cannot run: the key it is about, the message, and which variant and task."""

    key: str
    message: str
    variant: int | None = None
    task: int | None = None

    def as_problem(self) -> Problem:
        return Problem(self.key, self.message)


def prototype_folder(studies_dir: str | Path, prototype: str) -> Path | None:
    """The folder of a local prototype, or None when it is not a folder inside ``studies_dir``."""
    root = Path(studies_dir).resolve()
    folder = (root / prototype.strip("/")).resolve()
    if folder != root and root not in folder.parents:
        return None
    return folder if folder.is_dir() else None


def prototype_pages(folder: Path) -> frozenset[str]:
    """The paths a participant can be on in the prototype at ``folder`` (relative, POSIX)."""
    pages: set[str] = set()
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        relative = Path(directory).relative_to(folder).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for name in files:
            path = prefix + name
            if is_served(path):
                pages.add(path)
                if name == "index.html":
                    pages.add(prefix)
        if len(pages) > MAX_FILES:
            break
    return frozenset(pages)


def _path_of(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


def url_rule_reaches(rule: dict[str, Any], pages: frozenset[str]) -> bool | None:
    """Whether some page of ``pages`` meets the URL rule; None when that cannot be told."""
    url = rule.get("url")
    if not isinstance(url, str) or is_external(url):
        return None
    match = rule.get("match", "exact")
    if match == "exact":
        return _path_of(url) in pages
    if match == "prefix":
        if "?" in url:
            return _path_of(url) in pages
        return any(page.startswith(url) for page in pages)
    if match == "regex":
        try:
            pattern = re.compile(url.split("\\?", 1)[0])
        except re.error:
            return None  # a pattern that needs its query part to compile: give it the benefit
        return any(pattern.search(page) for page in pages)
    return None


def _describe(rule: dict[str, Any]) -> str:
    match = rule.get("match", "exact")
    return f"{rule['url']!r}" + ("" if match == "exact" else f" (match {match})")


def _task_problems(task: TaskSpec, j: int, local: list[tuple[int, VariantSpec, frozenset]],
                   every_variant_local: bool) -> list[RunProblem]:
    problems = []
    start = task.start or DEFAULT_START
    for i, variant, pages in local:
        where = f"the prototype of variant {variant.key!r} ({variant.prototype})"
        if not is_external(start) and _path_of(start) not in pages:
            problems.append(RunProblem(
                f"tasks[{j}].start", f"task {task.key!r} starts on {start!r}, which {where} "
                                     "does not have", i, j))
        success = criterion_for_variant(task.success, variant.key)
        if success.get("type") == "url" and url_rule_reaches(success, pages) is False:
            overridden = "url" in ((task.success.get("variants") or {}).get(variant.key) or {})
            key = (f"tasks[{j}].success.variants.{variant.key}.url" if overridden
                   else f"tasks[{j}].success.url")
            problems.append(RunProblem(
                key, f"task {task.key!r} succeeds on {_describe(success)}, which matches no "
                     f"page of {where}", i, j))
    if every_variant_local and local:
        for k, rule in enumerate(task.errors):
            if rule.get("type") != "url":
                continue
            if not any(url_rule_reaches(rule, pages) is not False for _, _, pages in local):
                problems.append(RunProblem(
                    f"tasks[{j}].errors[{k}].url",
                    f"task {task.key!r}: error rule {_describe(rule)} matches no page of any "
                    "variant's prototype", None, j))
    return problems


def prototype_problems(spec: StudySpec, studies_dir: str | Path) -> list[RunProblem]:
    """Every reason the local prototypes of ``spec`` would show a participant a missing page."""
    problems: list[RunProblem] = []
    local: list[tuple[int, VariantSpec, frozenset]] = []
    for i, variant in enumerate(spec.variants):
        if is_external(variant.prototype) or not variant.prototype:
            continue
        folder = prototype_folder(studies_dir, variant.prototype)
        if folder is None:
            problems.append(RunProblem(
                f"variants[{i}].prototype",
                f"variant {variant.key!r}: prototype folder {variant.prototype!r} does not exist "
                f"in the studies folder ({Path(studies_dir)})", i, None))
        else:
            local.append((i, variant, prototype_pages(folder)))
    every_variant_local = all(not is_external(v.prototype) for v in spec.variants)
    for j, task in enumerate(spec.tasks):
        problems.extend(_task_problems(task, j, local, every_variant_local))
    return problems


def check_runnable(spec: StudySpec, studies_dir: str | Path, source: str | None = None) -> None:
    """Raise :class:`StudyDefinitionError` listing every prototype problem of ``spec``."""
    problems = prototype_problems(spec, studies_dir)
    if problems:
        raise StudyDefinitionError([p.as_problem() for p in problems], source)
