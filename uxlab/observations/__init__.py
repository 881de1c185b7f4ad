"""Observations of moderated sessions: timestamped notes and the usability problems they become.

For: notes, quotes, errors, assists and problems logged while watching a session (live or on the
session timeline afterwards), each tied to the session time, the attempt and the last recorded
event before it; usability problems (rename, merge, split, severity on Nielsen's 0–4 scale with
several raters); the problems × participants grid and the problem-discovery estimate from it;
the study's problem list with frequencies, intervals and per-variant comparisons; the exports
``problems.csv`` and the grid CSV that ``uxlab plan discovery --matrix`` reads.

Not for: running a session (the moderator console, task control and outcome decisions, including
audited corrections, belong to the moderation package), and no statistics of its own: the
intervals, tests and discovery estimate all come from :mod:`uxlab.stats`.

Who may do what is decided in one place, :mod:`uxlab.observations.permissions`.
"""
