"""Summarise wrk and pgbench outputs of bench/run into one table (and bench/out/summary.md)."""
import glob, os, re, sys

out, concurrency, duration, rss_kb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

def wrk(name):
    text = open(os.path.join(out, name + ".wrk")).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    pct = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = int(non2xx.group(1)) if non2xx else 0
    return rps, pct.get("50"), pct.get("99"), errors

def pgbench(name):
    text = open(os.path.join(out, name + ".pgbench")).read()
    tps = float(re.search(r"tps = ([\d.]+)", text).group(1))
    lat = []
    for path in glob.glob(os.path.join(out, name + ".log.*")):
        for line in open(path):
            parts = line.split()
            if len(parts) >= 3:
                lat.append(int(parts[2]) / 1000.0)
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] if lat else float("nan")
    return tps, q(0.50), q(0.99)

rows = []
for name, label in [
    ("order_by_id", "GET /api/v1/orders/{id}"),
    ("orders_page", "GET /api/v1/orders?limit=20"),
    ("product_reviews", "GET /api/v1/products/{id}/reviews?limit=20"),
]:
    if not os.path.exists(os.path.join(out, name + ".wrk")):
        continue
    rps, p50, p99, errors = wrk(name)
    tps, bp50, bp99 = pgbench(name)
    rows.append((label, rps, p50, p99, errors, tps, bp50, bp99, rps / tps))

lines = [
    f"concurrency {concurrency}, {duration} s per run, 2 cores shared by load generator, service and PostgreSQL",
    "",
    "| endpoint | API req/s | API p50 ms | API p99 ms | non-2xx | pgbench tps | pgbench p50 ms | pgbench p99 ms | ratio API/pgbench |",
    "|---|---|---|---|---|---|---|---|---|",
]
for label, rps, p50, p99, errors, tps, bp50, bp99, ratio in rows:
    lines.append(f"| `{label}` | {rps:.0f} | {p50:.2f} | {p99:.2f} | {errors} | {tps:.0f} | {bp50:.2f} | {bp99:.2f} | **{ratio:.2f}** |")
quarter = os.path.join(out, "product_reviews_quarter.json")
if os.path.exists(quarter):
    import json
    q = json.load(open(quarter))
    summary, pct = q.get("summary", {}), q.get("latencyPercentiles", {})
    ok = q.get("statusCodeDistribution", {}).get("200", 0)
    lines.append("")
    lines.append(
        f"`GET /api/v1/products/{{id}}/reviews?limit=20` at a fixed quarter of the saturated rate: "
        f"{summary.get('requestsPerSec', 0):.0f} req/s, p50 {pct.get('p50', 0) * 1000:.2f} ms, "
        f"p99 {pct.get('p99', 0) * 1000:.2f} ms, {ok} × 200"
    )
lines.append("")
lines.append(f"service peak RSS: {rss_kb / 1024:.1f} MiB")
text = "\n".join(lines)
print(text)
open(os.path.join(out, "summary.md"), "w").write(text + "\n")
