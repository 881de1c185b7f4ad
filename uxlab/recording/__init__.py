"""Recording: event ingestion, the rules that match events, and the attempt metrics derived from them."""
