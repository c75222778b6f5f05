"""Summarise bench/run's interleaved rounds: per endpoint the median API req/s, pgbench tps and
per-round ratio, latency percentiles, and the fixed-rate run. Writes bench/out/summary.md.
`report.py --median-rps OUT NAME` prints just the median API req/s of NAME;
`report.py --growth FILE.txt` tabulates a growth run's req/s per 5k cases into FILE.md."""
import glob, json, os, re, statistics, sys

def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

def wrk(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    pct = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, pct.get("50"), pct.get("99"), int(non2xx.group(1)) if non2xx else 0

def rounds(out, name):
    result = []
    for path in sorted(glob.glob(os.path.join(out, f"{name}.wrk.*"))):
        n = path.rsplit(".", 1)[1]
        tps = float(re.search(r"tps = ([\d.]+)", open(os.path.join(out, f"{name}.pgbench.{n}")).read()).group(1))
        result.append((*wrk(path), tps))
    return result

def pg_latency(out, name):
    lat = []
    for path in glob.glob(os.path.join(out, f"{name}.log.*")):
        for line in open(path):
            parts = line.split()
            if len(parts) >= 3:
                lat.append(int(parts[2]) / 1000.0)
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] if lat else float("nan")
    return q(0.50), q(0.99)

def main():
    if sys.argv[1] == "--growth":
        # Lines "cases-before req/s" from bench/run's growth step: mean req/s per 5k cases.
        buckets = {}
        for line in open(sys.argv[2]):
            filed, rps = line.split()
            buckets.setdefault(int(filed) // 5000, []).append(float(rps))
        rows = [(b, statistics.mean(v)) for b, v in sorted(buckets.items())]
        text = ["| cases on file | req/s |", "|---|---|"]
        text += [f"| {b * 5}k–{b * 5 + 5}k | {r:.0f} |" for b, r in rows]
        if len(rows) > 2:
            # The first 5k include the service's warm-up; the decline is from the second.
            second, last = rows[1][1], rows[-1][1]
            text.append(f"\nfrom {rows[1][0] * 5}k to {rows[-1][0] * 5}k cases: {100 * (last - second) / second:+.0f} %")
        print("\n".join(text))
        open(os.path.splitext(sys.argv[2])[0] + ".md", "w").write("\n".join(text) + "\n")
        sys.exit(0)

    if sys.argv[1] == "--median-rps":
        print(int(statistics.median(r[0] for r in rounds(sys.argv[2], sys.argv[3]))))
        sys.exit(0)

    out, concurrency, slices, rss_kb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    lines = [
        f"concurrency {concurrency}, {slices} interleaved rounds per endpoint (API then pgbench), "
        "2 cores shared by load generator, service and PostgreSQL; medians over rounds",
        "",
        "| endpoint | API req/s | API p50 ms | API p99 ms | non-2xx | pgbench tps | pgbench p50 ms | pgbench p99 ms | ratio per round | ratio (median) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, label in [
        ("order_by_id", "GET /api/v1/orders/{id}"),
        ("orders_page", "GET /api/v1/orders?limit=20"),
        ("product_reviews", "GET /api/v1/products/{id}/reviews?limit=20"),
        ("return_by_id", "GET /api/v1/returns/{id}"),
        ("file_complaint", "POST /api/v1/complaints"),
        ("file_complaint_webhook", "POST /api/v1/complaints, one webhook endpoint"),
    ]:
        rs = rounds(out, name)
        if not rs:
            continue
        med = lambda i: statistics.median(r[i] for r in rs)
        ratios = [r[0] / r[4] for r in rs]
        bp50, bp99 = pg_latency(out, name)
        lines.append(
            f"| `{label}` | {med(0):.0f} | {med(1):.2f} | {med(2):.2f} | {sum(r[3] for r in rs)} | {med(4):.0f} | "
            f"{bp50:.2f} | {bp99:.2f} | {' '.join(f'{x:.2f}' for x in ratios)} | **{statistics.median(ratios):.2f}** |"
        )
    plain, hooked = rounds(out, "file_complaint"), rounds(out, "file_complaint_webhook")
    if plain and hooked:
        kept = [h[0] / p[0] for p, h in zip(plain, hooked)]
        lines += ["", (
            "Filing with one subscribed webhook endpoint, against none in the same round: "
            f"{' '.join(f'{k:.2f}' for k in kept)} (median **{statistics.median(kept):.2f}** of the throughput)"
        )]
    for backend in ("postgres", "sqlite"):
        path = os.path.join(out, f"dispatch_{backend}.txt")
        if os.path.exists(path):
            lines += ["", open(path).read().strip()]
    quarter = os.path.join(out, "product_reviews_quarter.json")
    if os.path.exists(quarter):
        q = json.load(open(quarter))
        summary, pct = q.get("summary", {}), q.get("latencyPercentiles", {})
        ok = q.get("statusCodeDistribution", {}).get("200", 0)
        lines += ["", (
            f"`GET /api/v1/products/{{id}}/reviews?limit=20` at a fixed quarter of the saturated rate: "
            f"{summary.get('requestsPerSec', 0):.0f} req/s, p50 {pct.get('p50', 0) * 1000:.2f} ms, "
            f"p99 {pct.get('p99', 0) * 1000:.2f} ms, {ok} × 200"
        )]
    health = os.path.join(out, "sqlite_1_health.wrk")
    if os.path.exists(health):
        health_rps = wrk(health)[0]
        lines += ["", "SQLite (`serve --demo`, same wrk settings), each endpoint in interleaved rounds with its ceiling "
                  "(bench/sqlite_ceiling.rs: the same statements through the service's storage functions, no HTTP):", "",
                  f"`GET /health` (the HTTP stack alone): {health_rps:.0f} req/s", "",
                  "| endpoint | API req/s | API p50 ms | API p99 ms | non-2xx | ceiling /s | ratio per round | ratio (median) | share of `/health` |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name in sorted({p.rsplit(".wrk.", 1)[0] for p in glob.glob(os.path.join(out, "sqlite_*.wrk.*"))}):
            rs = []
            for path in sorted(glob.glob(f"{name}.wrk.*")):
                ceiling = re.search(r"ceiling \w+: ([\d.]+) per second", open(f"{name}.ceiling.{path.rsplit('.', 1)[1]}").read())
                rs.append((*wrk(path), float(ceiling.group(1))))
            med = lambda i: statistics.median(r[i] for r in rs)
            ratios = [r[0] / r[4] for r in rs]
            label = open(name + ".label").read().strip()
            lines.append(
                f"| `{label}` | {med(0):.0f} | {med(1):.2f} | {med(2):.2f} | {sum(r[3] for r in rs)} | {med(4):.0f} | "
                f"{' '.join(f'{x:.2f}' for x in ratios)} | **{statistics.median(ratios):.2f}** | {100 * med(0) / health_rps:.1f} % |"
            )
    for name, backend in (("growth", "PostgreSQL"), ("sqlite_growth", "SQLite")):
        growth = os.path.join(out, name + ".md")
        if os.path.exists(growth):
            lines += ["", f"{backend}: filing from empty tables (growth run), req/s per 5k cases:", "", open(growth).read().strip()]
    lines += ["", f"service peak RSS: {rss_kb / 1024:.1f} MiB"]
    text = "\n".join(lines)
    print(text)
    open(os.path.join(out, "summary.md"), "w").write(text + "\n")


if __name__ == "__main__":
    main()
