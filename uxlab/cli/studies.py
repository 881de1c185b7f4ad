"""``uxlab study`` and ``uxlab participants``: study files and participant links."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select

from uxlab.cli.common import db_session
from uxlab.cli.privacy import delete_command, deletions_command
from uxlab.config import configured_studies_dir
from uxlab.models import Study
from uxlab.participants.links import create_participants, links_csv, participant_link
from uxlab.studies.files import read_study_file, study_to_toml
from uxlab.studies.ownership import OwnerError, describe_owner, owner_for_new_study
from uxlab.studies.problems import StudyDefinitionError
from uxlab.studies.runnable import check_runnable
from uxlab.studies.service import (
    StudyStateError,
    current_study,
    load_spec,
    participant_counts,
    spec_from_study,
)
from uxlab.studies.translations import missing_translations


@click.group("study")
def study_group() -> None:
    """Validate, load, list and export study files."""


STUDIES_DIR_HELP = ("Folder the local prototypes live in (default: UXLAB_STUDIES_DIR or the "
                    "app's studies folder).")


def _read_runnable(path: str, studies_dir: str | None):
    """Read a study file and check its local prototypes; StudyDefinitionError lists problems.
    Texts missing in one of the study's languages are printed as warnings (it still loads)."""
    spec = read_study_file(path)
    check_runnable(spec, studies_dir or configured_studies_dir(), source=path)
    for warning in missing_translations(spec):
        click.echo(f"{path}: warning: {warning}", err=True)
    return spec


@study_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--studies-dir", type=click.Path(file_okay=False), help=STUDIES_DIR_HELP)
def validate(files: tuple[str, ...], studies_dir: str | None) -> None:
    """Check study FILES and their prototypes; print every problem with file, key and reason."""
    failed = 0
    for path in files:
        try:
            spec = _read_runnable(path, studies_dir)
        except StudyDefinitionError as exc:
            failed += 1
            click.echo(exc.render(), err=True)
        else:
            click.echo(f"{path}: ok ({spec.slug}: {len(spec.variants)} variants, "
                       f"{len(spec.tasks)} tasks)")
    if failed:
        raise SystemExit(1)


@study_group.command("load")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--owner", metavar="EMAIL",
              help="Account that owns a new study (needed when several accounts could).")
def load(file: str, owner: str | None) -> None:
    """Create or update the study in FILE (versioned if it has participant data).

    A file whose local prototypes lack a page it needs is refused, as ``validate`` reports it.
    A new study belongs to --owner, or to the only admin or researcher account; an existing
    study keeps its owner.
    """
    try:
        spec = _read_runnable(file, None)
    except StudyDefinitionError as exc:
        click.echo(exc.render(), err=True)
        raise SystemExit(1) from exc
    with db_session() as session:
        user = None
        if current_study(session, spec.slug) is None or owner:
            try:
                user = owner_for_new_study(session, owner)
            except OwnerError as exc:
                if owner:
                    raise click.BadParameter(str(exc), param_hint="--owner") from exc
                raise click.ClickException(
                    f"{file}: not loaded: who should own the new study {spec.slug}? {exc} "
                    f"with --owner EMAIL.") from exc
        try:
            result = load_spec(session, spec, owner=user, source_file=str(Path(file)))
        except StudyStateError as exc:
            raise click.ClickException(f"{file}: {exc}") from exc
        click.echo(f"{result.describe()}, {describe_owner(result.study)}")


@study_group.command("list")
def list_studies() -> None:
    """List every study with its version, status and participant count."""
    with db_session(write=False) as session:
        studies = session.scalars(select(Study).order_by(Study.slug, Study.version)).all()
        counts = participant_counts(session, [s.id for s in studies])
        if not studies:
            click.echo("No studies. Load one with `uxlab study load FILE`.")
        for s in studies:
            click.echo(f"{s.slug:30} v{s.version:<3} {s.status:8} {s.design:8} "
                       f"{counts.get(s.id, 0):5} participants  {s.title}")


@study_group.command("export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default: stdout).")
def export(slug: str, output: str | None) -> None:
    """Write the newest version of study SLUG as a study file."""
    with db_session(write=False) as session:
        study = current_study(session, slug)
        if study is None:
            raise click.ClickException(f"no study {slug!r}")
        text = study_to_toml(spec_from_study(study))
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.")
    else:
        sys.stdout.write(text)


@click.group("participants")
def participants_group() -> None:
    """Create participant links, or delete participants' data on request."""


participants_group.add_command(delete_command)
participants_group.add_command(deletions_command)


@participants_group.command("create")
@click.argument("slug")
@click.option("-n", "count", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--label", default="", help="A label such as a recruitment wave.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (code, label, link).")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              envvar="UXLAB_BASE_URL", help="Where participants reach this server.")
def create(slug: str, count: int, label: str, as_csv: bool, base_url: str) -> None:
    """Create COUNT participant links for study SLUG and print them."""
    with db_session() as session:
        study = current_study(session, slug)
        if study is None:
            raise click.ClickException(f"no study {slug!r}")
        try:
            created = create_participants(session, study, count, label)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        if as_csv:
            click.echo(links_csv(created, base_url), nl=False)
        else:
            for p in created:
                click.echo(f"{p.code}  {participant_link(base_url, p.token)}")

