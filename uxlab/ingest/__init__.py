"""The ingestion server: the recorder's event batches, in, for many live participants at once.

What it is for: ``POST /api/v1/sessions/<id>/events`` and nothing else, served by gunicorn with
uvicorn's worker (``gunicorn -k uvicorn_worker.UvicornWorker 'uxlab.ingest.asgi:create_ingest_app()'``,
docs/deployment.md) beside the web app, behind a reverse proxy that sends it only those requests.
Every live participant posts one batch every 5 s: 800 requests a second at 4,000 participants,
which on two cores leaves about 1.2 ms of server CPU per request, everything included. The
events endpoint under gunicorn's sync workers cost about 4.2 ms a request (docs/performance.md,
"Live participants (issue 14)"), and even a bare Flask endpoint doing one INSERT cost 1.8 ms:
a worker that parses one request at a time and commits once per request cannot get there.
Here an event loop (uvloop, httptools) reads and checks the requests (:mod:`.asgi`) and a
writer thread (two on PostgreSQL) stores all the batches waiting in one transaction
(:mod:`.writer`): group commit, with every answer sent only after its batch's commit.

What it is not: a second set of rules. It answers exactly as Flask's route does (status, JSON
body, headers), because both run :mod:`uxlab.api.event_batches`; tests/api/test_events_wsgi.py
holds them to it. Flask's route stays: ``uxlab serve``, the test client and a single-process
deployment use it, and without this server nothing changes.
"""
