"""A Java project's data sources and queries, in the shape of VFB's vfb.xmi: read into the
model the clients get, and run through Python processors registered by `queryProcessorId`
(and, for a simple query, by its data source's `dataSourceService`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geppetto_dev import QueryContext, QueryProcessors
from geppetto_dev import model as gm
from geppetto_dev.interpreters import read_xmi
from geppetto_dev.projects.queries import QueryError, RunnableQuery, count_queries, run_queries
from tests.interpreters.samples import xmi
from tests.model.client import ClientModel

VFB_SHAPED = """  <variables id="fbbt" name="An anatomy term" types="//@libraries.1/@types.0"/>
  <libraries id="SWCLibrary" name="SWC"/>
  <libraries id="ontology" name="Ontology">
    <types xsi:type="gep_1:CompositeType" id="Class" name="Class"/>
    <types xsi:type="gep_1:CompositeType" id="Neuron" name="Neuron"/>
  </libraries>
  <dataSources id="neo4JDataSourceService" name="neo4j Data Source"
      dataSourceService="neo4jDataSource" url="http://db.example/tx"
      dependenciesLibrary="//@libraries.1" targetLibrary="//@libraries.7">
    <libraryConfigurations library="//@libraries.0"
        modelInterpreterId="swcModelInterpreterService" format="swc"/>
    <queries xsi:type="gep_2:CompoundQuery" name="Get neurons" description=""
        runForCount="false">
      <queryChain xsi:type="gep_2:SimpleQuery" id="GetNeurons" name="neurons"
          description="Neurons in $NAME" query="MATCH (n {id: '$ID'}) RETURN n"
          countQuery="RETURN 2"/>
      <queryChain xsi:type="gep_2:ProcessQuery" name="Process" description="Process"
          returnType="//@libraries.1/@types.1"
          queryProcessorId="vfbNeuronsQueryProcessor">
        <parameters key="limit" value="2"/>
      </queryChain>
    </queries>
  </dataSources>
  <queries xsi:type="gep_2:CompoundRefQuery" id="NeuronsHere" name="Neurons here"
      description="Neurons in $NAME" queryChain="//@dataSources.0/@queries.0 //@dataSources.9">
    <matchingCriteria type="//@libraries.1/@types.0"/>
    <matchingCriteria type="//@libraries.1/@types.5"/>
  </queries>
"""


def test_data_sources_and_queries_become_the_models(tmp_path: Path) -> None:
    got = read_xmi(xmi(tmp_path, VFB_SHAPED))
    m = got.model
    (source,) = m.data_sources
    assert (source.id, source.data_source_service, source.url) == (
        "neo4JDataSourceService",
        "neo4jDataSource",
        "http://db.example/tx",
    )
    assert source.dependencies_library == [m.library("ontology")]
    assert source.target_library is None  # //@libraries.7: not in the file
    (config,) = source.library_configurations
    assert config.library is m.library("SWCLibrary") and config.format == "swc"
    (chain,) = source.queries
    assert isinstance(chain, gm.CompoundQuery) and chain.id == "Get_neurons"
    simple, process = chain.query_chain
    assert isinstance(simple, gm.SimpleQuery) and simple.count_query == "RETURN 2"
    assert isinstance(process, gm.ProcessQuery) and process.parameters == {"limit": "2"}
    assert process.return_type is m.library("ontology").get("Neuron")
    (top,) = m.queries
    assert isinstance(top, gm.CompoundRefQuery) and top.query_chain == [chain]
    assert top.matching_criteria == [[m.library("ontology").get("Class")]]
    notes = " ".join(got.skipped)
    assert "//@libraries.7" in notes and "//@dataSources.9" in notes and "@types.5" in notes
    # The client builds them: every type they name resolves.
    raw = json.loads(gm.to_json(m))
    client = ClientModel.create(raw)
    ref = raw["queries"][0]["matchingCriteria"][0]["type"][0]["$ref"]
    assert client.resolve(ref).raw["id"] == "Class"  # type: ignore[union-attr]
    assert raw["dataSources"][0]["queries"][0]["queryChain"][1]["queryProcessorId"] == (
        "vfbNeuronsQueryProcessor"
    )


def test_their_queries_run_through_python_processors(tmp_path: Path) -> None:
    m = read_xmi(xmi(tmp_path, VFB_SHAPED)).model
    processors = QueryProcessors()
    seen: list[QueryContext] = []

    @processors.processor("neo4jDataSource")  # the service the simple query runs on
    def neo4j(context: QueryContext) -> gm.QueryResults:
        seen.append(context)
        assert isinstance(context.query, gm.SimpleQuery) and not context.count
        query = context.query.query.replace("$ID", context.target)
        return gm.QueryResults.of(("ID", "Query"), [("n1", query), ("n2", query), ("n3", query)])

    @processors.processor("vfbNeuronsQueryProcessorService")  # Java's "Service" suffix
    def shape(context: QueryContext) -> list[dict[str, str]]:
        seen.append(context)
        assert context.results is not None and context.data_source is not None
        limit = int(context.query.parameters["limit"])  # type: ignore[attr-defined]
        return [{"ID": r.values[0], "Name": r.values[0].upper()} for r in context.results.results][
            :limit
        ]

    asked = [RunnableQuery("fbbt", "NeuronsHere")]
    results = run_queries(m, asked, processors)
    assert results.header == ["ID", "Name"]
    assert [r.values for r in results.results] == [["n1", "N1"], ["n2", "N2"]]
    assert seen[0].query.query == "MATCH (n {id: '$ID'}) RETURN n"  # type: ignore[attr-defined]
    assert seen[0].data_source is m.data_sources[0]
    # As Java 0.3.8 counts: the queries run, their results are counted.
    whole = RunnableQuery("fbbt", "neo4JDataSourceService.Get_neurons")
    assert count_queries(m, [whole], processors) == 2
    # A query for another type of variable is refused.
    m.add_variable(gm.Variable("cell", m.library("ontology").get("Neuron")))
    with pytest.raises(QueryError, match="does not apply"):
        run_queries(m, [RunnableQuery("cell", "NeuronsHere")], processors)
    # A processor nobody registered: named, with how to register it.
    with pytest.raises(QueryError, match="vfbNeuronsQueryProcessor"):
        run_queries(m, asked, QueryProcessors({"neo4jDataSource": neo4j}))
