from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.dask_cluster import DaskCluster, dask_cluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskCluster]:
    with dask_cluster(workers=2) as running:
        yield running
