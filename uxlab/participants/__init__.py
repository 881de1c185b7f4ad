"""Participants: links, assignment, and the runner that takes them through a study."""
