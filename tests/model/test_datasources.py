"""Data sources, queries and query results in the EMF-JSON the clients read: the 0.3.8
client's ModelFactory builds data sources from `dataSources`, top-level queries from `queries`,
and resolves each query's matching criteria, so every type reference must name the type."""

from __future__ import annotations

import json

import pytest

from geppetto_dev import model as gm
from tests.model.client import ClientModel, walk_server


def model_with_queries() -> tuple[gm.GeppettoModel, gm.ProcessQuery]:
    m = gm.GeppettoModel("atlas")
    lib = m.add_library("atlas")
    region = lib.add(gm.CompositeType("region"))
    neuron = lib.add(gm.CompositeType("neuron"))
    m.add_variable(gm.Variable("brain", region))
    simple = gm.SimpleQuery("find", "Find", "Find in $NAME", query="MATCH (n)", count_query="C")
    process = gm.ProcessQuery(
        "shape",
        "Shape",
        "Shape results",
        query_processor_id="shapeProcessor",
        parameters={"limit": "10"},
        matching_criteria=[[region], [neuron, region]],
        return_type=neuron,
    )
    chain = gm.CompoundQuery("both", "Both", "Neurons in $NAME", query_chain=[simple, process])
    source = gm.DataSource(
        "db",
        "Database",
        "neo4jDataSource",
        "http://db.example/tx",
        queries=[chain],
        library_configurations=[gm.DataSourceLibraryConfiguration(lib, "swcModelInterpreter")],
        target_library=lib,
        dependencies_library=[m.common],
    )
    m.add_data_source(source)
    m.add_query(
        gm.CompoundRefQuery(
            "neurons",
            "Neurons",
            "Neurons in $NAME",
            query_chain=[chain],
            matching_criteria=[[region]],
            run_for_count=False,
        )
    )
    return m, process


def test_the_whole_model_carries_them_with_resolvable_references() -> None:
    m, _ = model_with_queries()
    raw = json.loads(gm.to_json(m))
    (source,) = raw["dataSources"]
    assert source["dataSourceService"] == "neo4jDataSource" and source["url"].startswith("http")
    assert source["targetLibrary"] == {"eClass": "GeppettoLibrary", "$ref": "//@libraries.1"}
    assert source["libraryConfigurations"][0]["modelInterpreterId"] == "swcModelInterpreter"
    (chain,) = source["queries"]
    simple, process = chain["queryChain"]
    assert (simple["eClass"], simple["query"], simple["countQuery"]) == (
        "SimpleQuery",
        "MATCH (n)",
        "C",
    )
    assert process["queryProcessorId"] == "shapeProcessor"
    assert process["parameters"] == [{"eClass": "StringToStringMap", "key": "limit", "value": "10"}]
    (top,) = raw["queries"]
    assert top["queryChain"] == [{"eClass": "CompoundQuery", "$ref": "//@dataSources.0/@queries.0"}]
    assert top["runForCount"] is False
    client = ClientModel.create(raw)
    # What the client resolves: the matching criteria's and the return type's types.
    for criteria in process["matchingCriteria"] + top["matchingCriteria"]:
        for ref in criteria["type"]:
            resolved = client.resolve(ref["$ref"])
            assert resolved is not None and resolved.raw["eClass"] == ref["eClass"]
    assert client.resolve(process["returnType"]["$ref"]).raw["id"] == "neuron"  # type: ignore[union-attr]
    # What it does not resolve still names the object on the server's side.
    assert walk_server(raw, top["queryChain"][0]["$ref"]) == chain


def test_deltas_leave_them_out() -> None:
    m, _ = model_with_queries()
    sync = gm.SyncState()
    assert "dataSources" in json.loads(gm.to_json(m, sync))
    m.add_variable(gm.Variable("other", m.library("atlas").get("neuron")))
    delta = json.loads(gm.to_json(m, sync))
    assert "dataSources" not in delta and "queries" not in delta


def test_a_query_naming_a_type_outside_the_model_is_refused() -> None:
    m, process = model_with_queries()
    process.matching_criteria = [[gm.CompositeType("stray")]]
    with pytest.raises(ValueError, match="stray"):
        gm.to_json(m)


def test_query_paths_as_the_client_sends_them() -> None:
    m, _ = model_with_queries()
    query, source = gm.find_query(m, "Model.neurons")
    assert query.id == "neurons" and source is not None and source.id == "db"
    inner, holder = gm.find_query(m, "db.both")
    assert gm.query_path(m, inner) == "db.both" and holder is source
    assert gm.query_path(m, query) == "neurons"
    with pytest.raises(KeyError):
        gm.find_query(m, "nope.both")


def test_results_as_java_serialises_them() -> None:
    results = gm.QueryResults.of(
        ("ID", "Name", "Count", "Extra"), [("a", "Alpha", 3, None), ("b", "Beta", 1.5, {"x": 1})]
    )
    assert results.ids() == ["a", "b"]
    body = json.loads(gm.query_results_json(results))
    assert body["eClass"] == "QueryResults" and body["header"] == ["ID", "Name", "Count", "Extra"]
    assert [r["values"] for r in body["results"]] == [
        ["a", "Alpha", "3", ""],
        ["b", "Beta", "1.5", '{"x": 1}'],
    ]
    by_name = gm.QueryResults.of(("ID", "Name"), [{"Name": "n", "ID": "i"}])
    assert by_name.results[0].values == ["i", "n"]
    with pytest.raises(ValueError, match="2 columns"):
        gm.QueryResults.of(("ID", "Name"), [("only one",)])
    with pytest.raises(KeyError, match="ID"):
        gm.QueryResults.of(("Name",), [("n",)]).ids()


def test_matching_criteria_any_list_all_types() -> None:
    m, process = model_with_queries()
    region, neuron = m.library("atlas").types
    assert process.matches([region]) and process.matches([neuron, region])
    assert not process.matches([neuron])
    assert gm.SimpleQuery("any").matches([neuron])
