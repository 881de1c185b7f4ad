"""The ``uxlab`` command line: one click group, one module per area of commands.

Commands are imported when they run, not when ``uxlab`` starts: the analysis commands pull in
scipy and the reports matplotlib, which a ``uxlab db upgrade`` or ``uxlab --version`` never needs
(start-up was most of a small report's time).
"""

from __future__ import annotations

import importlib

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


class LazyGroup(click.Group):
    """A group that imports each command's module only when that command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            module, attribute = COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="uxlab")
def main() -> None:
    """uxlab: self-hosted usability testing with small-sample-correct statistics."""
