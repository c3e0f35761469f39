"""Validate a folder (or bucket) of photos on a Dask cluster with photocheck.batch.runner.

The same ``validate_many`` call that uses local worker processes takes a Dask
``distributed`` executor instead, so moving from a laptop to a cluster changes one argument.
Without ``--scheduler`` the script starts a ``LocalCluster`` of worker processes on this
machine; with ``--scheduler tcp://host:8786`` it uses an existing cluster (every worker needs
photocheck installed and must be able to read the paths or URLs you give).

    pip install 'photocheck[dask]'
    python examples/batch_dask.py examples/photos --profile icao
    python examples/batch_dask.py 's3://bucket/uploads/*.jpg' --scheduler tcp://10.0.0.5:8786

The command line does the same with streaming output and resume:
``photocheck batch SOURCE... --out results.jsonl --dask tcp://10.0.0.5:8786``.
"""

from __future__ import annotations

import argparse
import contextlib
from collections import Counter
from pathlib import Path

from distributed import Client, LocalCluster

from photocheck.batch.runner import validate_many

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", default=[str(HERE / "photos")])
    parser.add_argument("--profile", default="icao")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    args = parser.parse_args(argv)

    statuses: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    with contextlib.ExitStack() as stack:
        if args.scheduler:
            client = stack.enter_context(Client(args.scheduler))
        else:  # one thread per process: the checks are CPU-bound Python/NumPy/LiteRT code
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=args.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(Client(cluster))
        # ordered=False yields results as workers finish; result.index tells the input order
        for result in validate_many(
            args.sources, args.profile, executor=client.get_executor(), ordered=False
        ):
            statuses[result.status] += 1
            if result.verdict is None:
                print(f"{result.source}: could not be checked: {result.error}")
            else:
                failures.update(r.code for r in result.verdict.failures)
                print(f"{result.source}: {result.status}")
    print(dict(statuses))
    for code, count in failures.most_common(5):
        print(f"{count:>6}  {code}")
    return 0 if statuses["pass"] == sum(statuses.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
