"""Data exports of a study: the tidy attempts and survey CSVs, events, observations, everything.

Every export is a generator: rows are fetched a batch at a time (``yield_per``, a server-side
cursor on PostgreSQL) and written out as they come, so exporting a study with millions of events
holds a batch in memory, never the table. :mod:`uxlab.exports.service` names the exports and is
what the CLI (``uxlab export``) and the researcher's download routes call.
"""
