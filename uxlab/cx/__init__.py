"""The CX view: customer journeys, the CX data per touchpoint, and where usability results meet it.

For: journeys (ordered stages of touchpoints) from files and the web UI; importing and receiving
CX survey responses and aggregate figures (NPS, CSAT, CES, operational figures); the board at
``/cx`` that shows each touchpoint's CX figures beside the UX results of the studies whose tasks
map to it; the feed that CX platforms pull; the SUS → likelihood-to-recommend bridge and the
key-driver analysis.

Not for: running usability studies or computing their results (``uxlab.analysis`` does that;
this package only reads them), nor statistics themselves (``uxlab.stats``).
"""
