"""Read-only share links to a study's report for people without an account."""
