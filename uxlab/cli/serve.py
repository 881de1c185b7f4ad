"""``uxlab serve`` and ``uxlab demo``."""

from __future__ import annotations

import click

from uxlab.cli.common import make_app
from uxlab.demo import DEMO_EMAIL, DEMO_PASSWORD, set_up_demo


def _demo(base_url: str, simulate: int = 0, seed: int | None = None) -> None:
    app = make_app(check_schema=False)
    database = app.extensions["uxlab.db"]
    try:
        result = set_up_demo(database, app.config["STUDIES_DIR"], simulate, seed)
    finally:
        database.dispose()
    click.echo(f"Demo study “{result.study_title}” is {result.study_status} "
               f"(study file: {result.study_file}).")
    if simulate:
        click.echo(f"Added {simulate} synthetic participants (codes SIM-…, labelled "
                   f"'synthetic'); {result.simulated} completed the study.")
    if result.cx_responses:
        click.echo(f"Loaded the demo journeys with {result.cx_responses} synthetic CX responses "
                   f"(source 'synthetic-demo'): {base_url}/cx/")
    click.echo(f"Researcher UI:  {base_url}/login")
    click.echo(f"  email:    {DEMO_EMAIL}")
    click.echo(f"  password: {DEMO_PASSWORD}")
    click.echo(f"A participant link: {base_url}/p/{result.participant_token}")


@click.command("demo")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--simulate", type=click.IntRange(0, 100_000), default=0, metavar="N",
              help="Also run N synthetic participants through the study (each call adds N).")
@click.option("--seed", type=int, default=None, help="Seed of the simulation (repeatable data).")
def demo(base_url: str, simulate: int, seed: int | None) -> None:
    """Load the demo study and a demo researcher account (idempotent); print how to log in.

    The demo study is loaded from its file the first time only: later runs leave it, and any
    change made to it, as it is (load a changed file with `uxlab study load`)."""
    _demo(base_url, simulate, seed)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", "with_demo", is_flag=True, help="Set up the demo first (see uxlab demo).")
def serve(host: str, port: int, with_demo: bool) -> None:
    """Serve uxlab (threaded development server; use gunicorn in production, see README)."""
    base_url = f"http://{host}:{port}"
    if with_demo:
        _demo(base_url)
    app = make_app()
    click.echo(f"uxlab on {base_url}/  (Ctrl+C stops it)")
    app.run(host=host, port=port, threaded=True, debug=False, load_dotenv=False)
