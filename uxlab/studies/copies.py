"""New studies and versions from a source: an uploaded study file, a duplicate, a template.

- Uploading a study file does what ``uxlab study load`` does: a new study, the study updated in
  place while nobody has taken part, or the next version (a draft) when participants have, the
  old version keeping its data. It is refused when its local prototypes lack a page it needs.
- Duplicating copies a study's definition (never its participants or data) as a new draft.
- A template is a study file shipped in ``uxlab/studies/starters/`` with placeholder prototype
  pages, copied into the studies folder so the new study validates and starts at once.

Not here: editing a study piece by piece (:mod:`uxlab.studies.editing`).
"""

from __future__ import annotations

import html
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from uxlab.accounts.service import can_edit
from uxlab.models import Study, User
from uxlab.studies.editing import create_from_data
from uxlab.studies.files import parse_study_bytes
from uxlab.studies.problems import Problem, StudyDefinitionError
from uxlab.studies.runnable import check_runnable, is_external
from uxlab.studies.service import LoadResult, current_study, load_spec, spec_from_study

STARTERS = resources.files("uxlab.studies") / "starters"
#: The templates, in the order the "New study" form lists them (file stems in STARTERS).
TEMPLATE_NAMES = ("website-comparison", "benchmark-sus", "within-three", "moderated-in-person")


def load_uploaded_file(session: Session, user: User, content: bytes, filename: str,
                       studies_dir: str | Path, study: Study | None = None) -> LoadResult:
    """Load an uploaded study file as ``user``; with ``study``, only a file for that study.

    Raises
    ------
    StudyDefinitionError
        Every problem of the file (named ``filename``), its prototypes, or its slug.
    StudyStateError
        When the change would remove a variant participants are assigned to.
    """
    spec = parse_study_bytes(content, filename)
    check_runnable(spec, studies_dir, source=filename)
    try:
        with session.begin_nested():
            return _load_checked(session, user, spec, filename, study)
    except IntegrityError:
        # Another upload made the same study (or version) between the check and the insert
        # (PostgreSQL lets both pass the check): load the file again over what it made, as a
        # later upload would.
        return _load_checked(session, user, spec, filename, study)


def _load_checked(session: Session, user: User, spec, filename: str,
                  study: Study | None) -> LoadResult:
    existing = current_study(session, spec.slug)
    if study is not None and spec.slug != study.slug:
        raise StudyDefinitionError([Problem(
            "study.slug", f"this file is for study {spec.slug!r}, not {study.slug!r}; upload it "
                          "from the study list to create that study")], filename)
    if existing is not None and not can_edit(session, user, existing):
        raise StudyDefinitionError([Problem(
            "study.slug", f"a study called {spec.slug!r} already exists and you cannot change "
                          "it; give the file another slug")], filename)
    return load_spec(session, spec, owner=user)


def duplicate_study(session: Session, study: Study, owner: User, slug: str,
                    title: str) -> Study:
    """Copy ``study``'s definition as a new draft called ``slug``, without participants or data.

    The copy belongs to ``owner`` alone; benchmarks, texts, variants, tasks and questionnaires
    are copied, participant links, sessions, share links and access grants are not.
    """
    data = spec_from_study(study).to_dict()
    data["study"].update(slug=slug, title=title)
    return create_from_data(session, owner, data, draft=True)


@dataclass(frozen=True)
class Template:
    """A built-in starting point: its name (file stem), title and what it is for."""

    name: str
    title: str
    summary: str


def templates() -> list[Template]:
    """The built-in templates, in the order the "New study" form lists them."""
    found = []
    for name in TEMPLATE_NAMES:
        data = tomllib.loads((STARTERS / f"{name}.toml").read_text(encoding="utf-8"))
        found.append(Template(name, data["study"]["title"],
                              " ".join(data["study"].get("description", "").split())))
    return found


def template_data(name: str, slug: str, title: str) -> dict[str, Any]:
    """The study mapping of template ``name`` for a new study ``slug`` called ``title``."""
    if name not in TEMPLATE_NAMES:
        raise StudyDefinitionError([Problem("template", f"unknown template {name!r} (known: "
                                                        f"{', '.join(TEMPLATE_NAMES)})")])
    data = tomllib.loads((STARTERS / f"{name}.toml").read_text(encoding="utf-8"))
    data["study"].update(slug=slug, title=title)
    for variant in data.get("variants", []):
        variant["prototype"] = variant["prototype"].replace("{slug}", slug)
    return data


def copy_starter_pages(data: dict[str, Any], studies_dir: str | Path) -> list[Path]:
    """Give each local variant of ``data`` placeholder pages, where its folder does not exist.

    Returns the folders made. An existing folder is never touched: it is the researcher's.
    """
    made = []
    pages = STARTERS / "pages"
    for variant in data.get("variants", []):
        folder = Path(studies_dir) / variant["prototype"]
        if is_external(variant["prototype"]) or folder.exists():
            continue
        folder.mkdir(parents=True)
        for page in pages.iterdir():
            text = page.read_text(encoding="utf-8")
            text = text.replace("{variant}", html.escape(variant["name"])).replace(
                "{folder}", html.escape(variant["prototype"]))
            (folder / page.name).write_text(text, encoding="utf-8")
        made.append(folder)
    return made


def create_from_template(session: Session, owner: User, name: str, slug: str, title: str,
                         studies_dir: str | Path) -> Study:
    """Create study ``slug`` from template ``name``, with placeholder pages for its variants."""
    data = template_data(name, slug, title)
    study = create_from_data(session, owner, data)
    try:
        copy_starter_pages(data, studies_dir)
    except OSError as exc:
        raise StudyDefinitionError([Problem(
            "template", f"cannot write the placeholder pages into the studies folder "
                        f"({studies_dir}): {exc.strerror}")]) from exc
    return study
