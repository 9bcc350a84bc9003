"""Installs the drop-in switch's ``.pth`` hook next to the package (pyproject.toml has the rest).

A ``.pth`` file must sit at the top of site-packages, which package data cannot reach. Regular
wheels get it from ``build_lib``; editable installs (``pip install -e .``, what the Makefile
does) get it from the wheel folder that setuptools installs from. Either way pip lists it in the
distribution's RECORD, so ``pip uninstall`` removes it.
"""

from __future__ import annotations

import os

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = os.path.join("parabola", "drop_in", "parabola_drop_in.pth")


class BuildPyWithPth(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            # editable_wheel points install_lib at the folder it zips into the editable wheel.
            target = self.get_finalized_command("install").install_lib
        else:
            target = self.build_lib
        here = os.path.dirname(os.path.abspath(__file__))
        self.copy_file(os.path.join(here, PTH), os.path.join(target, os.path.basename(PTH)))


setup(cmdclass={"build_py": BuildPyWithPth})
