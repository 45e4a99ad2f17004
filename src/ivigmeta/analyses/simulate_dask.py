"""Running simulation chunks on Dask (``pip install 'ivigmeta[dask]'``).

``"local"`` starts a ``LocalCluster`` of two single-threaded worker processes; any other value
is the address of a running scheduler (``tcp://HOST:PORT``). Chunks become Dask tasks
(``Client.map``); results stream back as they finish and are put back in task order, so the
output does not depend on which worker ran what. No scheduler of our own.
"""

from __future__ import annotations

from collections.abc import Callable

from ivigmeta.errors import InputError


def run_on_dask(
    function: Callable, tasks: list, address: str, done: Callable[[int], None], *, timeout: int
) -> list:
    """``[function(task) for task in tasks]`` computed by Dask workers."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError(
            "Dask is not installed: pip install 'ivigmeta[dask]'", field="dask"
        ) from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None)  # fmt: skip
            client = Client(cluster, timeout=timeout)
        else:
            client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        if cluster is not None:
            cluster.close()
        raise InputError(
            f"no Dask scheduler answered at {address} within {timeout} s ({error})",
            field="dask",
        ) from None
    try:
        futures = client.map(function, tasks, pure=False)
        position = {future.key: i for i, future in enumerate(futures)}
        results: list = [None] * len(tasks)
        for finished, future in enumerate(as_completed(futures), start=1):
            results[position[future.key]] = future.result()
            done(finished)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
