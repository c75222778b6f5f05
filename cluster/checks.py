"""What holds only with several instances: each check returns the counts it prints."""
import collections
import concurrent.futures
import http.server
import json
import threading
import time
import uuid

from http_client import Unreachable

API = "/api/v1"


class Sink:
    """A webhook receiver on loopback that records every message id it is sent."""

    def __init__(self):
        self.received = collections.Counter()
        lock = threading.Lock()
        received = self.received

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length", 0)))
                with lock:
                    received[self.headers.get("webhook-id")] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"


def register_sink(c, seller, sink):
    made = c.ok("POST", f"{API}/webhooks", seller, {"url": sink.url(), "events": ["*"],
                                                      "description": "cluster test"})
    return made["id"]


def deliveries(c, seller, endpoint, status):
    found, cursor = [], None
    while True:
        path = f"{API}/webhooks/{endpoint}/deliveries?status={status}&limit=100"
        page = c.ok("GET", path + (f"&cursor={cursor}" if cursor else ""), seller)
        found += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def webhooks_exactly_once(c, seller, endpoint, sink, timeout=60):
    """Every delivery the dispatchers of all instances made reached the sink once."""
    deadline = time.time() + timeout
    while deliveries(c, seller, endpoint, "pending"):
        assert time.time() < deadline, "webhook deliveries still pending"
        time.sleep(0.5)
    delivered = deliveries(c, seller, endpoint, "delivered")
    ids = {d["message_id"] for d in delivered}
    twice = {k: n for k, n in sink.received.items() if n > 1}
    missing = ids - set(sink.received)
    assert delivered, "no webhook was delivered"
    assert not twice, f"received more than once: {twice}"
    assert not missing, f"delivered but never received: {missing}"
    return {"deliveries": len(delivered), "received": sum(sink.received.values()),
            "received twice": len(twice)}


def shared_limit(c, per_minute):
    """One caller's requests spread over every instance are limited as one caller."""
    email = f"limit-{uuid.uuid4().hex[:8]}@example.kz"
    made = c.ok("POST", f"{API}/auth/register", body={
        "email": email, "password": "cluster-password-2026", "full_name": "Limit Test",
        "role": "buyer"})
    token = made["access_token"]
    sent = per_minute * len(c.ports)
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: c.call("GET", f"{API}/me", token).status,
                                 range(sent)))
    elapsed = time.time() - started
    passed = statuses.count(200)
    refilled = per_minute * elapsed / 60
    assert set(statuses) <= {200, 429}, collections.Counter(statuses)
    assert passed <= per_minute + refilled + 1, (passed, per_minute, elapsed)
    assert passed >= per_minute - 1, (passed, per_minute)
    return {"sent over all instances": sent, "passed": passed, "limit": per_minute,
            "refilled meanwhile": int(refilled)}


def public_reads_through_replica_outage(c, replica, product):
    """Public review lists keep answering while the replica is stopped and started again."""
    statuses = collections.Counter()
    stop = threading.Event()

    def read():
        while not stop.is_set():
            try:
                statuses[c.call("GET", f"{API}/products/{product}/reviews").status] += 1
            except Unreachable:
                statuses["unreachable"] += 1
            time.sleep(0.1)

    reader = threading.Thread(target=read)
    reader.start()
    states = []
    try:
        time.sleep(1)
        replica("stop")
        time.sleep(3)
        states.append(c.ok("GET", "/ready").get("replica"))
        replica("start")
        deadline = time.time() + 30
        while c.ok("GET", "/ready").get("replica") != "ok":
            assert time.time() < deadline, "the replica was not taken back"
            time.sleep(0.5)
        states.append("ok")
        time.sleep(1)
    finally:
        stop.set()
        reader.join()
    assert set(statuses) == {200}, statuses
    assert states[0] == "down", states
    return {"public reads": statuses[200], "failed reads": 0,
            "/ready replica while stopped": states[0]}


def keyed_writes_survive_a_kill(c, buyer, order, victim, restart, writes=150, workers=4):
    """kill -9 of one instance during keyed writes: each write lands exactly once."""
    keys = [str(uuid.uuid4()) for _ in range(writes)]
    took_over = []
    outcome = {}
    killed_at = []

    def write(key):
        first = time.time()
        hops = 0
        while True:
            try:
                got = c.call("POST", f"{API}/orders/{order}/messages", buyer,
                             {"body": f"drill {key}"}, headers={"idempotency-key": key},
                             timeout=10)
                if got.status in (200, 201):
                    outcome[key] = got.status
                    if hops and killed_at:
                        took_over.append(time.time() - max(first, killed_at[0]))
                    return
                assert got.status in (409, 429, 503), got
            except Unreachable:
                pass
            hops += 1
            assert time.time() - first < 30, f"{key} never landed"
            time.sleep(0.1)

    def kill_midway():
        while len(outcome) < writes // 3:
            time.sleep(0.01)
        killed_at.append(time.time())
        victim.kill9()

    killer = threading.Thread(target=kill_midway)
    killer.start()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(write, keys))
    killer.join()
    restart()
    bodies = collections.Counter()
    cursor = None
    while True:
        path = f"{API}/orders/{order}/messages?limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = c.ok("GET", path, buyer)
        bodies.update(m["body"] for m in page["items"] if m["body"].startswith("drill "))
        cursor = page.get("next_cursor")
        if not cursor:
            break
    lost = [k for k in keys if bodies[f"drill {k}"] == 0]
    doubled = [k for k in keys if bodies[f"drill {k}"] > 1]
    assert not lost and not doubled, (lost, doubled)
    slowest = max(took_over, default=0.0)
    assert slowest < 5, f"a retry took {slowest:.1f} s to be taken over"
    return {"keyed writes": writes, "landed once": writes - len(lost) - len(doubled),
            "lost": len(lost), "duplicated": len(doubled),
            "retried after the kill": len(took_over),
            "slowest takeover (s)": round(slowest, 2)}


def effects_of(report, prefix=""):
    """The sweep report's counts of things done, flattened (`complaints.breaches`, ...);
    `shops_checked` counts re-evaluations, not effects, and a repeat makes them again."""
    found = {}
    for key, value in report.items():
        if isinstance(value, dict):
            found.update(effects_of(value, f"{prefix}{key}."))
        elif isinstance(value, int) and not isinstance(value, bool) and key != "shops_checked":
            found[prefix + key] = value
    return found


def sweep_once(run_sweep, sql, at):
    """The sweep run by every instance at once does each thing once: no notice is written
    twice, and a repeat finds nothing left to do."""
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        reports = list(pool.map(lambda _: json.loads(run_sweep(at)), range(3)))
    again = [json.loads(run_sweep(at)) for _ in range(2)]
    ran = [r for r in reports if not r.get("skipped")]
    done = collections.Counter()
    for r in reports:
        done.update(effects_of(r))
    repeated = collections.Counter()
    for r in again:
        repeated.update(effects_of(r))
    repeated = {k: n for k, n in repeated.items() if n}
    assert len(ran) >= 1, reports
    assert sum(done.values()) > 0, f"the sweep found nothing to do: {reports}"
    assert not repeated, f"a second sweep did it again: {repeated}"
    instant = at.replace("T", " ").rstrip("Z")
    notices = int(sql(f"SELECT count(*) FROM notifications WHERE created_at = '{instant}'"))
    doubled = int(sql(
        "SELECT count(*) FROM (SELECT 1 FROM notifications "
        f"WHERE created_at = '{instant}' GROUP BY user_id, kind, subject_id, data "
        "HAVING count(*) > 1) AS d"))
    assert notices > 0, "the sweep sent no notice"
    assert doubled == 0, f"{doubled} notices written twice"
    return {"notices sent": notices, "notices sent twice": doubled,"sweeps at once": len(reports), "that ran": len(ran),
            "effects": sum(done.values()), "effects of a repeat": 0,
            **{k: n for k, n in done.items() if n}}
