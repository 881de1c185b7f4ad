"""Studies: the study-file format, its validation, and loading studies into the database."""
