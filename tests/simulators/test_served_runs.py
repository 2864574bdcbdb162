"""NeuroML and LEMS experiments as users run them: `geppetto-dev view FILE` in a real process,
a real WebSocket client holding the Geppetto conversation, NEURON in the server's process pool.
The model files are jNeuroML's own examples (from the pyNeuroML wheel)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geppetto_dev.projects.file_projects import file_project_id
from tests.server.conftest import Client, connect, run_async
from tests.simulators.models import example_folder, spike_times
from tests.simulators.requirements import missing_java, missing_module, need
from tests.support import ServeProcess

need(missing_module("neuron", "pip install 'geppetto-dev[neuron]'"))

LEMS = "LEMSexamples/LEMS_NML2_Ex5_DetCell.xml"
V = "net1.hhpop[0].v"
WS_PATH = "/org.geppetto.frontend/GeppettoServlet"


class Talk:
    """One WebSocket conversation: requests by id, pushed messages kept aside."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.n = 0
        self.pushed: list[Any] = []

    async def ask(self, kind: str, data: Any) -> Any:
        """The first reply to this request (skipping what the server pushes meanwhile)."""
        self.n += 1
        request_id = f"t-{self.n}"
        await self.client.request(kind, data, request_id)
        while True:
            message = await self.client.recv(30)
            if isinstance(message, dict) and message.get("requestID") == request_id:
                return message
            self.pushed.append(message)

    async def download(self, data: Any) -> tuple[str, bytes]:
        """download_results: the file frame, once the reply that follows it has come."""
        reply = await self.ask("download_results", data)
        assert reply["type"] == "download_results", reply
        (frame,) = [m for m in self.pushed if isinstance(m, tuple)]
        return frame  # type: ignore[no-any-return]

    async def tell(self, kind: str, data: Any) -> None:
        """A request the server answers with nothing (run_experiment)."""
        self.n += 1
        await self.client.request(kind, data, f"t-{self.n}")

    async def load(self, project_id: int) -> None:
        await self.ask("load_project_from_id", {"projectId": project_id})
        for _ in range(3):  # the model, then the active experiment
            await self.client.recv(30)


def payload(message: dict[str, Any], key: str) -> Any:
    value = json.loads(message["data"])[key]
    return json.loads(value) if isinstance(value, str) and value else value


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_folder(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def viewed(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """`geppetto-dev view LEMS_NML2_Ex5_DetCell.xml`, as a user starts it in the folder."""
    cache = tmp_path_factory.mktemp("cache")
    env = {"GEPPETTO_DEV_CACHE_DIR": str(cache), "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    served = ServeProcess(folder, LEMS, "--port", "0", env=env, command="view").wait_serving(60)
    yield served
    served.stop()


def project_id(folder: Path) -> int:
    return file_project_id(folder / LEMS)


async def opened(served: ServeProcess, folder: Path) -> Talk:
    talk = Talk(await connect(served.url.replace("http://", "ws://") + WS_PATH))
    await talk.client.recv()  # client_id
    await talk.client.recv()  # user_privileges
    await talk.load(project_id(folder))
    return talk


async def statuses(talk: Talk, pid: int, experiment_id: int) -> dict[str, Any]:
    reply = await talk.ask("experiment_status", str(pid))
    return next(s for s in payload(reply, "update") if int(s["experimentID"]) == experiment_id)


async def until(talk: Talk, pid: int, experiment_id: int, done: Any, timeout: float) -> list[Any]:
    """Poll experiment_status (as the client does, faster) until `done(status)`; all seen."""
    seen: list[Any] = []
    deadline = time.monotonic() + timeout
    while not seen or not done(seen[-1]):
        assert time.monotonic() < deadline, f"gave up waiting; seen {seen[-3:]}"
        await asyncio.sleep(0.05)
        seen.append(await statuses(talk, pid, experiment_id))
    return seen


def ended(status: dict[str, Any]) -> bool:
    """A run's outcome (a status poll may come before its run_experiment is handled)."""
    return status["status"] in ("COMPLETED", "ERROR", "CANCELED")


def test_a_lems_file_runs_in_neuron_and_spikes_when_jneuroml_does(
    viewed: ServeProcess, folder: Path
) -> None:
    need(missing_java())
    pid = project_id(folder)
    experiment = {"projectId": pid, "experimentId": 1}

    async def scenario() -> tuple[list[Any], dict[str, Any], tuple[str, bytes]]:
        talk = await opened(viewed, folder)
        # The file's own step (10 us) is too coarse for jNeuroML's engine to have converged:
        # the user sets 1 us, and 45 ms (three spikes), in the experiment's properties.
        properties = {"timeStep": 1e-6, "length": 0.045}
        await talk.ask("save_experiment_properties", {**experiment, "properties": properties})
        await talk.tell("run_experiment", experiment)
        seen = await until(talk, pid, 1, ended, 120)
        state = await talk.ask("get_experiment_state", experiment)
        recording = await talk.download({**experiment, "format": "GEPPETTO_RECORDING"})
        return seen, payload(state, "update"), recording

    seen, state, recording = run_async(scenario())
    told = [s["status"] for s in seen]
    assert told[-1] == "COMPLETED" and "RUNNING" in told
    recorded = {r["pointer"]["path"]: r["value"] for r in state["recordedVariables"]}
    time_axis, v = recorded["time"]["value"], recorded[V]["value"]
    assert recorded[V]["unit"]["unit"] == "V" and len(time_axis) == 45001
    from geppetto_dev.simulators.jneuroml import run_lems

    reference = run_lems(folder / LEMS, ["hhpop[0]/v"], step=1e-6, length=0.045)
    ours, theirs = (
        spike_times(time_axis, v),
        spike_times(reference["time"], reference["hhpop[0]/v"]),
    )
    assert len(theirs) >= 3 and len(ours) == len(theirs)
    assert max(abs(a - b) for a, b in zip(ours, theirs, strict=True)) < 1e-4  # 0.1 ms

    # The recording downloaded as Java wrote it: an HDF5 file, groups along the paths.
    h5py = pytest.importorskip("h5py")
    name, content = recording
    assert name.endswith("-results.h5")
    with h5py.File(io.BytesIO(content), "r") as f:
        v_set = f["net1(net1)/hhpop(hhpop)[0]/v(StateVariable)"]
        assert v_set.shape == (45001, 1) and v_set.attrs["metatype"] == b"StateVariableType"
        assert list(v_set[:5, 0]) == v[:5]
        assert f["time(StateVariable)"].shape == (45001, 1)


def _descendants(root: int) -> dict[int, int]:
    """{pid: depth below `root`} of every live process under it, read from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":  # a zombie has ended; its parent just has not reaped it yet
            parents[int(entry)] = int(fields[1])
    depth: dict[int, int] = {}
    frontier, level = [root], 0
    while frontier:
        level += 1
        frontier = [p for p, parent in parents.items() if parent in frontier]
        depth.update({p: level for p in frontier})
    return depth


def simulations(served: ServeProcess) -> set[int]:
    """The processes computing runs: children of the server's pool workers."""
    return {p for p, depth in _descendants(served.proc.pid).items() if depth >= 2}


@pytest.mark.parametrize("how", ["stop_experiment", "delete_experiment"])
def test_stopping_a_running_experiment_kills_its_process(
    viewed: ServeProcess, folder: Path, how: str
) -> None:
    pid = project_id(folder)
    start = len(viewed.output)

    async def scenario() -> tuple[list[Any], set[int], Any, set[int]]:
        talk = await opened(viewed, folder)
        created = await talk.ask("clone_experiment", {"projectId": pid, "experimentId": 1})
        experiment_id = int(payload(created, "experiment_created")["id"])
        experiment = {"projectId": pid, "experimentId": experiment_id}
        # 20 s of simulated time: far longer than the test waits.
        properties = {"timeStep": 2.5e-5, "length": 20.0}
        await talk.ask("save_experiment_properties", {**experiment, "properties": properties})
        await talk.tell("run_experiment", experiment)
        seen = await until(talk, pid, experiment_id, lambda s: 0 < s.get("progress", 0) < 1, 120)
        running = simulations(viewed)
        # The log tells how far it has got too, in simulated time.
        await asyncio.get_running_loop().run_in_executor(
            None, viewed.wait_output, "ms simulated)", start
        )
        answer = await talk.ask(how, experiment)
        deadline = time.monotonic() + 10
        while simulations(viewed) & running and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return seen, running, answer, simulations(viewed)

    seen, running, answer, after = run_async(scenario())
    assert seen[-1]["status"] == "RUNNING"  # progress is told while it runs, 0 to 1
    assert running, "no simulation process was found under the server"
    assert not running & after, f"still alive after {how}: {running & after}"
    if how == "stop_experiment":
        assert answer["type"] == "experiment_stopped"
        assert payload(answer, "update")["status"] == "CANCELED"
    else:
        assert answer["type"] == "experiment_deleted"


def test_a_batch_of_experiments_runs_and_each_completes(viewed: ServeProcess, folder: Path) -> None:
    """OSB's parameter sweep: new_experiment_batch, then each experiment run, on the pool."""
    pid = project_id(folder)
    amplitudes = [0.0, 0.1, 0.2, 0.4]  # nA, the unit of the pulse generator in the file

    async def scenario() -> list[list[float]]:
        talk = await opened(viewed, folder)
        batch = {
            "projectId": pid,
            "experiments": [
                {
                    "name": f"Sweep {amplitude} nA",
                    "watchedVariables": [V],
                    "modelParameters": {"net1.pulseGen1.amplitude": amplitude},
                    "timeStep": 2.5e-5,
                    "duration": 0.05,
                    "simulator": "neuronSimulator",
                    "simulatorParameters": {"target": "net1"},
                }
                for amplitude in amplitudes
            ],
        }
        created = await talk.ask("new_experiment_batch", json.dumps(batch))
        ids = [int(e["id"]) for e in payload(created, "experiment_batch_created")]
        for experiment_id in ids:  # as OSB's client does once the batch is created
            await talk.tell("run_experiment", {"projectId": pid, "experimentId": experiment_id})
        spikes = []
        for experiment_id in ids:
            seen = await until(talk, pid, experiment_id, ended, 120)
            assert seen[-1]["status"] == "COMPLETED", seen[-1]
            state = await talk.ask(
                "get_experiment_state", {"projectId": pid, "experimentId": experiment_id}
            )
            recorded = {
                r["pointer"]["path"]: r["value"]["value"]
                for r in payload(state, "update")["recordedVariables"]
            }
            spikes.append(spike_times(recorded["time"], recorded[V]))
        return spikes

    spikes = run_async(scenario())
    counts = [len(s) for s in spikes]
    assert counts[0] == 0 and counts == sorted(counts) and counts[-1] > counts[1] > 0
