"""Participant privacy: deleting a participant's data on request, raw-event retention, and the
record of which consent text a participant agreed to.

What it is for: the researcher's duties towards participants' data (erasure with an audited
tombstone, keeping raw events no longer than needed, proof of consent). What it is not: access
control between researchers (:mod:`uxlab.accounts`), or what the recorder captures in the first
place (``uxlab/static/recorder.js`` never records typed values).
"""
