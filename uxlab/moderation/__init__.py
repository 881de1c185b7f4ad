"""Moderated sessions: who may watch and run them, the live console, remote and in-person modes.

For: the per-study roles of a moderated session (:mod:`.access`, the one permission API the
console, the notes and the API ask), observer links that let someone without an account
watch as an observer, the live console and its Server-Sent Events stream read from
the events table after a cursor, starting remote-moderated and in-person sessions, the
moderator's task control (start, pause, end, skip) and outcome judgements, kept beside the
automatic outcome and audited.

Not for: recording the participant's events (:mod:`uxlab.recording`), computing outcomes from
success criteria (:mod:`uxlab.participants.outcomes`), timestamped notes and usability problems
(:mod:`uxlab.observations`), or statistics (:mod:`uxlab.stats`).
"""
