"""Ships scenes/ inside the package as game/bundled/, so a non-editable
install finds the bundled stories. Everything else lives in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithScenes(build_py):
    def run(self):
        super().run()
        src = Path(__file__).resolve().parent / "scenes"
        dst = Path(self.build_lib) / "game" / "bundled"
        if src.is_dir():
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": BuildWithScenes})
