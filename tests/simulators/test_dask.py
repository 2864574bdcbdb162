"""Runs submitted to a real Dask cluster: the job and the simulator cross to a worker, whose
threads make it start a new interpreter per run rather than fork."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geppetto_dev.simulators import SimulationJob, default_simulators, run_isolated
from tests.simulators.models import example_folder
from tests.simulators.requirements import missing_module, need
from tests.simulators.simulators import Counting

pytest.importorskip("distributed", reason="Dask is not installed (extra dask)")

from geppetto_dev.executors.cluster import DaskExecutor
from tests.fixtures.dask_cluster import dask_cluster


@pytest.fixture(scope="module")
def executor() -> Iterator[DaskExecutor]:
    with dask_cluster(workers=1) as cluster:
        running = DaskExecutor(cluster.address)
        try:
            yield running
        finally:
            running.shutdown()


def test_a_dask_worker_runs_each_job_in_a_new_interpreter(executor: DaskExecutor) -> None:
    job = SimulationJob("model.nml", timestep=1e-4, length=1e-3)
    results = [executor.submit(run_isolated, Counting(), job).result(60) for _ in range(2)]
    assert all(r["spawned"] == [1.0] and r["runs"] == [1.0] for r in results)
    assert results[0]["pid"] != results[1]["pid"]


def test_neuron_runs_on_a_dask_worker(executor: DaskExecutor, tmp_path: Path) -> None:
    need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))
    folder = example_folder(tmp_path)
    job = SimulationJob(
        str(folder / "examples" / "NML2_SingleCompHHCell.nml"),
        str(folder),
        watched=("net1.hhpop[0].v",),
        timestep=1e-4,
        length=0.02,
    )
    neuron = default_simulators().get("neuronSimulator")
    results = executor.submit(run_isolated, neuron, job).result(120)
    assert len(results["net1.hhpop[0].v"].value) == 201
