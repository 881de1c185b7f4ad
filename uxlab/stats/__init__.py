"""Small-sample statistics for usability data (Sauro & Lewis, *Quantifying the User Experience*).

Pure functions on numbers and arrays: this package imports neither Flask nor SQLAlchemy, so it is
usable from a notebook. One module per statistical family.
"""
