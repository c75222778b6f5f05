"""Summarises bench/scale: per case the total req/s, the worst instance's p50 and p99, the
failed answers, and the database work per request on the primary and on the replica."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from report import wrk  # noqa: E402

out = sys.argv[1]
rows = ["| case | instances | req/s | p50 ms | p99 ms | non-2xx | primary tx/req | replica tx/req | primary tuples/req |",
        "|---|---|---|---|---|---|---|---|---|"]
for case in ("primary_alone", "with_replica", "three_instances"):
    path = os.path.join(out, f"scale.{case}.json")
    if not os.path.exists(path):
        continue
    meta = json.load(open(path))
    runs = [wrk(p) for p in sorted(glob.glob(os.path.join(out, f"scale.{case}.*.wrk")))]
    rps = sum(r[0] for r in runs)
    p50 = max(r[1] for r in runs)
    p99 = max(r[2] for r in runs)
    failed = sum(r[3] for r in runs)
    seconds = float(os.environ.get("SCALE_SECONDS", "0")) or None
    requests = rps * seconds if seconds else None
    per = (lambda n: f"{n / requests:.2f}") if requests else (lambda n: str(n))
    rows.append(f"| {case.replace('_', ' ')} | {meta['instances']} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | "
                f"{failed} | {per(meta['primary_transactions'])} | {per(meta['replica_transactions'])} | "
                f"{per(meta['primary_tuples'])} |")
text = "\n".join(rows)
print(text)
open(os.path.join(out, "scale.md"), "w").write(text + "\n")
