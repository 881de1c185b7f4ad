"""uxlab: self-hosted usability testing with statistics that are right for small samples."""

__version__ = "0.1.0"


def __getattr__(name):
    # Imported lazily so that ``import uxlab.stats`` does not pull in Flask.
    if name == "create_app":
        from uxlab.app import create_app

        return create_app
    raise AttributeError(name)
