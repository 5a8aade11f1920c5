"""Refuses an old Python before pip resolves anything.

Everything about the package is in pyproject.toml. This file only exists because pip (23.x,
as shipped with Python 3.10) checks `requires-python` after resolving the dependencies, and
with the test extras it backtracks for many minutes first. Building the metadata runs this
file with the Python being installed into, so it can refuse at once.
"""

import sys

from setuptools import setup

if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on the old Pythons it refuses
    sys.exit(
        "glimmers-bot needs Python 3.11 or newer; this is Python "
        f"{sys.version.split()[0]}. Make the virtual environment with python3.11 or newer."
    )

setup()
