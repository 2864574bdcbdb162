"""Packaging hook: everything is declared in pyproject.toml except shipping the templates.

The generator templates live at the top of the repository (`scaffold_templates/`), outside the
package, so no linter or test runner treats them as code. Building copies them into the wheel
as `geppetto_dev/scaffold_templates/`, where `geppetto_dev.scaffold.engine` finds them at run time.
"""

from __future__ import annotations

import os

from setuptools import setup
from setuptools.command.build_py import build_py

TEMPLATES = "scaffold_templates"


class BuildPyWithTemplates(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:  # an editable install reads them from the source tree
            target = os.path.join(self.build_lib, "geppetto_dev", TEMPLATES)
            self.copy_tree(TEMPLATES, target)


setup(cmdclass={"build_py": BuildPyWithTemplates})
