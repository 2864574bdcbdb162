"""NEURON through the simulator path, on NeuroML's examples: real files, real worker
processes. Errors name what cannot run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geppetto_dev.executors import LocalExecutor
from geppetto_dev.simulators import SimulationError, SimulationJob, default_simulators, run_isolated
from tests.simulators.models import example_folder, spike_times
from tests.simulators.requirements import missing_module, need

need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))
NEURON = default_simulators().get("neuronSimulator")
GATES = "net1.hhpop[0].bioPhys1.membraneProperties.{}.{}.{}.q"


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_folder(tmp_path_factory.mktemp("nml"))


def run(examples: Path, name: str, **settings: object) -> dict[str, object]:
    return run_isolated(NEURON, SimulationJob(str(examples / name), str(examples), **settings))  # type: ignore[arg-type]


def test_a_lems_file_runs_with_its_own_length_step_and_outputs(examples: Path) -> None:
    results = run(examples, "LEMSexamples/LEMS_NML2_Ex5_DetCell.xml")
    assert sorted(results) == sorted(
        [
            "time",
            "net1.hhpop[0].v",
            GATES.format("naChans", "naChan", "m"),
            GATES.format("naChans", "naChan", "h"),
            GATES.format("kChans", "kChan", "n"),
        ]
    )
    time = results["time"].value  # type: ignore[attr-defined]
    assert len(time) == 30001 and time[1] == pytest.approx(1e-5) and time[-1] == pytest.approx(0.3)
    n = results[GATES.format("kChans", "kChan", "n")].value  # type: ignore[attr-defined]
    assert all(0.0 <= q <= 1.0 for q in n) and max(n) - min(n) > 0.3


def test_a_neuroml_file_runs_with_the_jobs_settings(examples: Path) -> None:
    results = run(
        examples,
        "examples/NML2_SingleCompHHCell.nml",
        watched=("hhcell.hhpop[0].v", "hhcell.hhpop[0].spiking"),
        timestep=2.5e-5,
        length=0.05,
    )
    assert len(results["time"].value) == 2001  # type: ignore[attr-defined]
    v = results["hhcell.hhpop[0].v"]
    assert v.unit == "V"  # type: ignore[attr-defined]
    times = spike_times(results["time"].value, v.value)  # type: ignore[attr-defined]
    assert len(times) == 3
    # spiking: 1 while above the cell's threshold (-20 mV), rising with each spike.
    spiking = results["hhcell.hhpop[0].spiking"].value  # type: ignore[attr-defined]
    assert set(spiking) == {0.0, 1.0}
    assert spike_times(results["time"].value, spiking, 0.5) == pytest.approx(times, abs=2e-4)  # type: ignore[attr-defined]


def test_a_model_with_several_networks_needs_a_target(examples: Path) -> None:
    with pytest.raises(SimulationError, match=r"several networks \(net1, MultiCompCellNetwork\)"):
        run(
            examples,
            "examples/NML2_MultiCompCellNetwork.nml",
            timestep=1e-4,
            length=0.01,
            watched=("x.pop0[0].v",),
        )


def test_a_file_without_settings_asks_for_them(examples: Path) -> None:
    with pytest.raises(SimulationError, match="no time step or length"):
        run(examples, "examples/NML2_SingleCompHHCell.nml", watched=("n.hhpop[0].v",))


def test_compartments_are_recorded_by_segment(examples: Path) -> None:
    # The example's NMDA synapse is not a built-in shape: drop it, keep the AMPA one.
    source = (examples / "examples" / "NML2_MultiCompCellNetwork.nml").read_text()
    no_nmda = re.sub(r'<projection id="projNMDA".*?</projection>', "", source, flags=re.S)
    (examples / "examples" / "MultiComp.nml").write_text(no_nmda)
    paths = [
        f"MultiCompCellNetwork.pop0[1].{seg}.v" for seg in ("Soma_0", "Dendrite1_1", "Dendrite2b_3")
    ]
    results = run(
        examples,
        "examples/MultiComp.nml",
        watched=(*paths, "MultiCompCellNetwork.pop0[0].v"),
        timestep=2.5e-5,
        length=0.08,
    )
    soma, _, tip = (results[p].value for p in paths)  # type: ignore[attr-defined]
    assert soma != tip and max(soma) > 0.0  # cell 1 fires from its AMPA inputs
    assert results["MultiCompCellNetwork.pop0[0].v"].value[0] == pytest.approx(-0.065)  # type: ignore[attr-defined]


def test_an_unsupported_synapse_is_named(examples: Path) -> None:
    with pytest.raises(SimulationError, match="synapse 'NMDA' is a blockingPlasticSynapse"):
        run(
            examples,
            "examples/NML2_MultiCompCellNetwork.nml",
            timestep=1e-4,
            length=0.01,
            watched=("MultiCompCellNetwork.pop0[0].Soma_0.v",),
        )


def test_an_abstract_cell_is_named(examples: Path) -> None:
    with pytest.raises(SimulationError, match=r"cannot run the cell 'iz\w*' \(izhikevich"):
        run(examples, "LEMSexamples/LEMS_NML2_Ex2_Izh.xml", timestep=1e-4, length=0.01)


def test_a_channel_neuron_cannot_build_is_named(examples: Path) -> None:
    source = (examples / "examples" / "NML2_SingleCompHHCell.nml").read_text()
    custom = source.replace('type="HHSigmoidRate"', 'type="myOwnRate"')
    (examples / "examples" / "Custom.nml").write_text(custom)
    with pytest.raises(SimulationError) as info:
        run(
            examples,
            "examples/Custom.nml",
            timestep=1e-4,
            length=0.01,
            watched=("net1.hhpop[0].v",),
        )
    # Not a standard form, and (where Java and a compiler are present) not in jNeuroML either.
    assert "ion channel 'naChan': gate 'h': the reverseRate of type 'myOwnRate'" in str(info.value)
    assert "jNeuroML" in info.value.hint


def test_an_unknown_path_says_what_can_be_watched(examples: Path) -> None:
    with pytest.raises(SimulationError, match=r"cannot record 'net1.hhpop\[0\].w'"):
        run(
            examples,
            "examples/NML2_SingleCompHHCell.nml",
            timestep=1e-4,
            length=0.01,
            watched=("net1.hhpop[0].w",),
        )


def test_runs_on_the_process_pool_never_share_neuron_state(examples: Path) -> None:
    executor = LocalExecutor(2)
    jobs = [
        SimulationJob(
            str(examples / "examples/NML2_SingleCompHHCell.nml"),
            str(examples),
            watched=("net1.hhpop[0].v",),
            timestep=1e-4,
            length=0.02,
        )
        for _ in range(3)
    ]
    try:
        results = [
            f.result(timeout=120) for f in [executor.submit(run_isolated, NEURON, j) for j in jobs]
        ]
    finally:
        executor.shutdown()
    # A second build in one process would add a second cell: the traces would differ.
    traces = [r["net1.hhpop[0].v"].value for r in results]
    assert traces[0] == traces[1] == traces[2]


def test_a_simulator_hook_runs_an_experiments_request_on_the_pool(examples: Path) -> None:
    from geppetto_dev.projects.runs import RunRequest
    from geppetto_dev.simulators import SimulatorHook

    hook = SimulatorHook(NEURON, str(examples / "examples/NML2_SingleCompHHCell.nml"))
    request = RunRequest(
        project_id=1,
        experiment_id=1,
        watched=("hhcell.hhpop[0].v",),
        parameters={},
        timestep=1e-4,
        length=0.01,
        run=1,
    )
    executor = LocalExecutor(1)
    try:
        results = executor.submit(hook, request).result(timeout=120)
    finally:
        executor.shutdown()
    assert set(results) == {"time", "hhcell.hhpop[0].v"}
    assert len(results["hhcell.hhpop[0].v"].value) == 101


def test_a_run_hook_in_one_line(examples: Path) -> None:
    from geppetto_dev.projects.runs import RunRequest
    from geppetto_dev.simulators import neuron as simulators_neuron

    request = RunRequest(1, 1, ("net1.hhpop[0].v",), {}, 1e-4, 0.01, 1)
    results = simulators_neuron.run(examples / "examples/NML2_SingleCompHHCell.nml", request)
    assert len(results["net1.hhpop[0].v"].value) == 101
