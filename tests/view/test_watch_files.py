"""What `view --reload` and `serve --reload` with model files watch: the files, by name,
whatever their ending, from the folders that hold them (editors often save by replacing)."""

from __future__ import annotations

from pathlib import Path

from geppetto_dev.config import Settings
from geppetto_dev.reload.watch import plan_files, plan_watch


def test_view_watches_its_files_and_nothing_else(tmp_path: Path) -> None:
    models = tmp_path / "models"
    (models / "deep").mkdir(parents=True)
    cell, mesh = models / "cell.nml", models / "deep" / "neuron.obj"
    plan = plan_files([cell, mesh])
    assert plan.roots == ()
    assert plan.flat() == (models, models / "deep")
    assert plan.subdirs() == []  # nothing watched recursively
    assert plan.filter.accepts(cell) and plan.filter.accepts(mesh)
    assert not plan.filter.accepts(models / "other.nml")
    assert not plan.filter.accepts(models / "tool.py")  # no Python sources either
    assert plan.describe() == f"'{cell}', '{mesh}'"


def test_serve_reload_watches_the_model_files_beside_the_python(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    settings = Settings(project_dir=tmp_path, model_files=(Path("models/cell.nml"),))
    plan = plan_watch(settings)
    assert plan.roots == (tmp_path,)
    assert plan.filter.accepts(tmp_path / "models" / "cell.nml")
    assert plan.filter.accepts(tmp_path / "app.py")
    assert not plan.filter.accepts(tmp_path / "models" / "other.nml")
    assert plan.describe().endswith(f"and '{tmp_path / 'models' / 'cell.nml'}'")
