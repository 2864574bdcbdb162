"""The experiment script that configures the 0.3.8 client for a Python data source, run line
by line with `eval` by Node, as the client's ScriptRunner runs it, against stand-ins of the
client's Spotlight, query builder and component factory. (The real client runs it in
tests/browser/test_classic_frontend.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from geppetto_dev.projects.demo import cells

HARNESS = r"""
var calls = [];
var GEPPETTO = {
  Spotlight: {
    configuration: {SpotlightBar: {DataSources: {}}},
    addDataSource: function (s) {
      Object.assign(this.configuration.SpotlightBar.DataSources, s); calls.push("spotlight");
    }
  },
  ComponentFactory: {
    addComponent: function (type, props, element, done) {
      calls.push("component " + type);
      GEPPETTO.QueryBuilder = {
        configuration: {DataSources: {}},
        addDataSource: function (s) {
          Object.assign(this.configuration.DataSources, s); calls.push("query builder");
        },
        setResultsColumns: function (c) { calls.push("columns " + c.join(",")); }
      };
      done();
    }
  }
};
var document = {getElementById: function (id) { return {id: id}; }};
var lines = require("fs").readFileSync(process.argv[2], "utf8").split("\n");
for (var round = 0; round < 2; round++) {  // a script runs at each load of the experiment
  lines.forEach(function (line) { if (line.trim()) { eval(line); } });
}
var builder = GEPPETTO.QueryBuilder.configuration.DataSources.cells;
var filters = builder.resultsFilters;
var records = filters.getRecords(
  {header: ["ID", "Name", "Spikes"], results: [{values: ["net.pop[1]", "Cell 1", "4"]}]});
var spotlight = GEPPETTO.Spotlight.configuration.SpotlightBar.DataSources.cells;
console.log(JSON.stringify({
  calls: calls, url: spotlight.url, types: Object.keys(spotlight.type),
  token: builder.queryNameToken,
  record: [filters.getId(records[0]), filters.getName(records[0]),
           filters.getDescription(records[0])]
}));
"""


def test_the_script_configures_spotlight_and_the_query_builder_once(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = cells.client_script()
    assert all("\n" not in line for line in script.splitlines())
    (tmp_path / "demo.js").write_text(script)
    (tmp_path / "harness.js").write_text(HARNESS)
    done = subprocess.run(
        [node, str(tmp_path / "harness.js"), str(tmp_path / "demo.js")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["calls"] == [
        "spotlight",
        "component QUERY",
        "query builder",
        "columns id,name,description",
    ]
    assert got["url"] == "$SEARCH_TERM$" and got["token"] == "$NAME"
    assert got["types"] == ["cell", "network", "default"]
    assert got["record"] == ["net.pop[1]", "Cell 1", "Spikes: 4"]


def test_every_result_type_acts_through_buttons() -> None:
    """0.3.8's Spotlight parses a selected result's buttons: bare actions make it throw."""
    for name, config in cells.client_types().items():
        assert "buttons" in config, name
    row = cells.result_row({"id": 7, "name": "seven", "type": "unknown"})
    assert row == {"id": "7", "name": "seven", "label": "seven", "type": "default"}
