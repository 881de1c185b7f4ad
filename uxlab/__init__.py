"""uxlab: self-hosted usability testing with statistics that are right for small samples."""

__version__ = "0.1.0"
