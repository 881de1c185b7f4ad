"""Who may take part in a study: screener questions before consent, quotas on the places per
segment and variant, and the recruitment panel's redirects (completion, screen-out, over-quota).

Not here: the segment columns in exports and the results' segment filter (they read
``Participant.screener``), nor the participant flow itself (:mod:`uxlab.participants.flow`, which
calls in here at its screener and consent steps).
"""
