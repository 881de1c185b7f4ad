"""uxlab: self-hosted usability testing with statistics that are right for small samples."""

from importlib.metadata import PackageNotFoundError, version

try:
    #: The installed distribution's version: setup.cfg is its one source.
    __version__ = version("uxlab")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"


def __getattr__(name):
    # Imported lazily so that ``import uxlab.stats`` does not pull in Flask.
    if name == "create_app":
        from uxlab.app import create_app

        return create_app
    raise AttributeError(name)
