#!/usr/bin/env python3
"""The cluster test: three instances of the release binary on one PostgreSQL primary with a
streaming replica, evidence in an S3-compatible store, limits in Redis. Every request goes to
the next instance in turn. Prints a table of what it checked and the counts; exits non-zero on
the first check that fails. Started by `cluster/run`, which brings up what it needs."""
import base64
import datetime
import os
import secrets
import subprocess
import sys
import tempfile
import time
import traceback

import checks
import flows
import instances
from http_client import Cluster

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PER_MINUTE = 300


def need(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"cluster: {name} is not set (cluster/run sets it)")
    return value


def main():
    binary = need("AFTERSALE_BIN")
    primary, replica = need("CLUSTER_PG"), need("CLUSTER_REPLICA")
    database = f"aftersale_cluster_{secrets.token_hex(4)}"
    psql = ["psql", f"{primary}/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc"]
    subprocess.run(psql + [f"CREATE DATABASE {database}"], check=True)

    def sql(query):
        return subprocess.run(["psql", f"{primary}/{database}", "-qAtc", query], check=True,
                              capture_output=True, text=True).stdout.strip()

    logs = tempfile.mkdtemp(prefix="aftersale-cluster-")
    env = dict(
        os.environ,
        DATABASE_URL=f"{primary}/{database}",
        DATABASE_REPLICA_URL=f"{replica}/{database}",
        REPLICA_MAX_LAG_MS="1000",
        JWT_SECRET=secrets.token_hex(32),
        WEBHOOK_SECRETS_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        WEBHOOKS_ALLOW_PRIVATE="true",
        ATTACHMENTS_URL=f"{need('CLUSTER_S3_URL')}/{database}",
        RATE_LIMIT_REDIS_URL=need("CLUSTER_REDIS_URL"),
        RATE_LIMIT_PER_MINUTE=str(PER_MINUTE),
        SWEEP_INTERVAL_SECS="1",
        DISPATCH_INTERVAL_MS="200",
        LOG_FORMAT="text",
        RUST_LOG="warn",
    )
    env.pop("ATTACHMENTS_DIR", None)
    ports = [int(p) for p in os.environ.get("CLUSTER_PORTS", "18081,18082,18083").split(",")]
    table = []
    cluster = []

    def check(name, run):
        started = time.time()
        try:
            counts = run()
        except Exception:
            print_table(table)
            traceback.print_exc()
            for instance in cluster:
                print(f"--- {instance.name} ({instance.log_path})\n{instance.tail()}")
            raise SystemExit(f"cluster: FAILED at: {name}")
        table.append((name, counts, time.time() - started))

    try:
        def start():
            cluster.extend(instances.start_together(binary, env, ports, logs))
            return {"instances": len(cluster), "ports": "/".join(map(str, ports))}

        check("three instances started together on a new database (migrated once)", start)
        instances.command(binary, env, "seed-demo")
        c = Cluster(ports)
        cast = {
            "buyer": flows.login(c, "buyer@demo.kz"),
            "seller": flows.login(c, "seller@demo.kz"),
            "moderator": flows.login(c, "moderator@demo.kz"),
            "service": instances.command(binary, env, "issue-token", "--role", "service",
                                         "--name", "cluster-sync").strip(),
        }
        sink = checks.Sink()
        endpoint = checks.register_sink(c, cast["seller"], sink)
        photo = {}

        def evidence():
            photo["id"], counts = flows.evidence(c, cast, ports)
            return counts

        check("evidence uploaded through one instance, read through the others", evidence)
        check("complaint filed, answered and decided on three instances",
              lambda: flows.complaint(c, cast, photo["id"]))
        check("review written, replied to, flagged, flag decided",
              lambda: flows.review(c, cast)[1])
        check("return requested, approved, picked up, refunded",
              lambda: flows.return_and_refund(c, cast, photo["id"]))
        check("every webhook delivered exactly once with three dispatchers",
              lambda: checks.webhooks_exactly_once(c, cast["seller"], endpoint, sink))
        check("one caller's requests over three instances limited as one",
              lambda: checks.shared_limit(c, PER_MINUTE))
        replica_ctl = os.path.join(ROOT, ".ci", "replica")
        check("public reads answer while the replica is stopped and restarted",
              lambda: checks.public_reads_through_replica_outage(
                  c, lambda action: subprocess.run([replica_ctl, action], check=True,
                                                   stdout=subprocess.DEVNULL),
                  "P-IPHONE15"))
        order = flows.order_by_external(c, cast["buyer"], "DEMO-1001")

        def restart_victim():
            cluster[1].start().wait_ready()

        check("kill -9 of an instance during keyed writes: each lands once",
              lambda: checks.keyed_writes_survive_a_kill(
                  c, cast["buyer"], order, cluster[1], restart_victim))
        at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=40)
              ).strftime("%Y-%m-%dT%H:%M:%SZ")
        check("the sweep run by three instances at once does each thing once",
              lambda: checks.sweep_once(
                  lambda when: instances.command(binary, env, "sweep", "--at", when), sql, at))
    finally:
        for instance in cluster:
            instance.stop()
        subprocess.run(psql + [f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"])
    print_table(table)


def print_table(table):
    print("\ncluster test")
    print(f"{'check':<72} {'s':>6}  counts")
    for name, counts, seconds in table:
        shown = ", ".join(f"{k}: {v}" for k, v in counts.items())
        print(f"{name:<72} {seconds:>6.1f}  {shown}")


if __name__ == "__main__":
    main()
