"""The ``uxlab`` command line: one click group, one module per area of commands.

Commands are imported when they run, not when ``uxlab`` starts: the analysis commands pull in
scipy and the reports matplotlib, which a ``uxlab db upgrade`` or ``uxlab --version`` never needs
(start-up was most of a small report's time).

A command's modules are imported with Python's cyclic garbage collector paused: importing
creates hundreds of thousands of long-lived objects (modules, classes, functions), none of them
garbage, and each full collection while they pile up scans them all again (about a sixth of
``uxlab report``'s CPU time). When ``uxlab`` is the process's program (not a test's runner), the
imported objects are then frozen (:func:`gc.freeze`), so the command's own collections skip
them too.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator
from contextlib import contextmanager

import click

from uxlab import __version__

#: Command name → "module:attribute" of its click command; this table is the table of contents.
COMMANDS = {
    "serve": "uxlab.cli.serve:serve",
    "demo": "uxlab.cli.serve:demo",
    "db": "uxlab.cli.db:db_group",
    "user": "uxlab.cli.users:user_group",
    "study": "uxlab.cli.studies:study_group",
    "participants": "uxlab.cli.studies:participants_group",
    "retention": "uxlab.cli.privacy:retention_group",
    "export": "uxlab.cli.exports:export_command",
    "report": "uxlab.cli.reports:report_command",
    "analyze": "uxlab.cli.analyze:analyze_command",
    "plan": "uxlab.cli.plan:plan_group",
    "journeys": "uxlab.cli.cx:journeys_group",
    "cx": "uxlab.cli.cx:cx_group",
}


@contextmanager
def _collection_paused(freeze: bool) -> Iterator[None]:
    """Pause the cyclic garbage collector (imports make no garbage worth collecting); with
    ``freeze``, move every object made so far out of later collections' reach."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


class LazyGroup(click.Group):
    """A group that imports each command's module only when that command is asked for."""

    #: True while ``uxlab`` runs as the process's program (see :meth:`main`).
    program = False

    def main(self, args=None, *more, **options):
        # Without ``args`` click reads sys.argv: the console script, not a test's CliRunner
        # (whose process must keep collecting what its tests leave behind).
        LazyGroup.program = args is None
        try:
            return super().main(args, *more, **options)
        finally:
            LazyGroup.program = False

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = _unavailable_database_message(exc)
            if message is None:
                raise
            raise click.ClickException(message) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            module, attribute = COMMANDS[name].split(":")
            with _collection_paused(freeze=LazyGroup.program):
                return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


def _unavailable_database_message(exc: Exception) -> str | None:
    """A message for a database that cannot be reached or written (uxlab.db.database_unavailable),
    instead of a traceback; None for anything else."""
    if not type(exc).__module__.startswith("sqlalchemy"):
        return None  # nothing to import: most errors, and every command without a database
    from sqlalchemy.exc import OperationalError

    from uxlab.db import database_unavailable

    if not isinstance(exc, OperationalError) or not database_unavailable(exc):
        return None
    reason = " ".join(str(getattr(exc, "orig", exc)).split())
    return (f"the database cannot be reached or written right now ({reason}); "
            "what the command did not finish was not saved: try again in a moment")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="uxlab")
def main() -> None:
    """uxlab: self-hosted usability testing with small-sample-correct statistics."""
