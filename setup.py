"""Build hook: a built uxlab carries the repository's migrations and demo study inside the package.

The repository's top-level ``alembic.ini``, ``migrations/`` and ``studies/`` stay the one source
of truth (``alembic`` runs from the repository root, the demo study is edited in ``studies/``); a
build copies them to ``uxlab/bundled/`` so that an installed uxlab needs no clone. An editable
install copies nothing: it reads the repository's folders in place (see ``uxlab.config``).
Everything else is declared in ``setup.cfg``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("alembic.ini", "migrations", "studies")
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildPyWithBundledData(build_py):
    """Copy the repository's migrations and studies into the built package."""

    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "uxlab" / "bundled"
        shutil.rmtree(target, ignore_errors=True)  # nothing left over from an earlier build
        target.mkdir(parents=True)
        for name in BUNDLED:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=LEFT_OUT)
            else:
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildPyWithBundledData})
