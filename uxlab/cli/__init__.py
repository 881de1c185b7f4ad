"""The ``uxlab`` command line: one click group, one module per area of commands."""

from __future__ import annotations

import click

from uxlab import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="uxlab")
def main() -> None:
    """uxlab: self-hosted usability testing with small-sample-correct statistics."""


def _register() -> None:
    # Each area module exposes its commands; importing them here keeps this file a table of contents.
    from uxlab.cli import analyze, cx, db, exports, plan, reports, serve, studies, users

    main.add_command(serve.serve)
    main.add_command(serve.demo)
    main.add_command(db.db_group)
    main.add_command(users.user_group)
    main.add_command(studies.study_group)
    main.add_command(studies.participants_group)
    main.add_command(exports.export_command)
    main.add_command(reports.report_command)
    main.add_command(analyze.analyze_command)
    main.add_command(plan.plan_group)
    main.add_command(cx.journeys_group)
    main.add_command(cx.cx_group)


_register()
