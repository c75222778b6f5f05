"""The main flows of the service, each step sent to the next instance in turn."""
import datetime
import hashlib
import os

API = "/api/v1"
PASSWORD = "demo-password-2026"
SAMPLES = os.path.join(os.path.dirname(__file__), "..", "samples")


def now(delta_hours=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=delta_hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def login(c, email):
    return c.ok("POST", f"{API}/auth/login", body={"email": email, "password": PASSWORD})[
        "access_token"]


def order_by_external(c, token, external_id):
    page = c.ok("GET", f"{API}/orders?limit=50", token)
    return next(o for o in page["items"] if o["external_id"] == external_id)["id"]


def evidence(c, cast, ports):
    """Uploaded through one instance, read through each of the others, byte for byte."""
    with open(os.path.join(SAMPLES, "photo.jpg"), "rb") as f:
        data = f.read()
    up = c.upload(f"{API}/attachments", cast["buyer"], "photo.jpg", data, port=ports[0])
    assert up.status == 201, up
    file_id = up.json["id"]
    reads = 0
    for port in ports[1:]:
        got = c.call("GET", f"{API}/attachments/{file_id}", cast["buyer"], port=port)
        assert got.status == 200, got
        assert hashlib.sha256(got.body).digest() == hashlib.sha256(data).digest()
        reads += 1
    return file_id, {"uploaded on": 1, "read back on others": reads}


def complaint(c, cast, photo):
    """Filed on one instance, answered on the next, decided on the third."""
    order = order_by_external(c, cast["buyer"], "DEMO-1002")
    filed = c.ok("POST", f"{API}/complaints", cast["buyer"], {
        "order_id": order, "target": "seller", "category": "not_as_described",
        "description": "Чайник на 1,5 л, а в карточке 1,7 л", "attachment_ids": [photo]})
    cid = filed["id"]
    c.ok("POST", f"{API}/complaints/{cid}/respond", cast["seller"],
         {"body": "Готовы заменить чайник", "proposed_resolution": "replacement"})
    c.ok("POST", f"{API}/complaints/{cid}/acknowledge", cast["moderator"])
    c.ok("POST", f"{API}/complaints/{cid}/start-review", cast["moderator"])
    done = c.ok("POST", f"{API}/complaints/{cid}/resolve", cast["moderator"], {
        "outcome": "upheld", "remedy": {"kind": "replacement"},
        "explanation": "Продавец заменит чайник"})
    assert done["status"] == "resolved", done
    return {"steps": 5}


def review(c, cast):
    """Written, replied to, flagged by the seller, the flag decided by a moderator."""
    order = order_by_external(c, cast["buyer"], "DEMO-1001")
    items = c.ok("GET", f"{API}/orders/{order}", cast["buyer"])["items"]
    item = next(i for i in items if i["eligibility"]["review"]["allowed"])
    written = c.ok("POST", f"{API}/reviews", cast["buyer"], {
        "order_item_id": item["id"], "rating": 5, "text": "Отличный телефон, доставили вовремя"})
    rid = written["id"]
    c.ok("PUT", f"{API}/reviews/{rid}/reply", cast["seller"], {"text": "Спасибо за отзыв!"})
    flag = c.ok("POST", f"{API}/reviews/{rid}/flags", cast["seller"], {
        "reason": "false_information", "comment": "Этот покупатель не получал товар"})
    c.ok("POST", f"{API}/moderation/flags/{flag['id']}/decision", cast["moderator"],
         {"decision": "dismiss", "note": "Доставка подтверждена"})
    public = c.ok("GET", f"{API}/reviews/{rid}", cast["buyer"])
    assert public["status"] == "published", public
    return rid, {"steps": 4}


def return_and_refund(c, cast, photo):
    """Requested, approved, pickup scheduled, picked up by the courier, refunded."""
    order = order_by_external(c, cast["buyer"], "DEMO-1001")
    items = c.ok("GET", f"{API}/orders/{order}", cast["buyer"])["items"]
    item = next(i for i in items if i["eligibility"]["return"]["allowed"])
    ret = c.ok("POST", f"{API}/returns", cast["buyer"], {
        "order_id": order, "items": [{"order_item_id": item["id"], "quantity": 1}],
        "reason": "wrong_item", "attachment_ids": [photo]})
    rid = ret["id"]
    c.ok("POST", f"{API}/returns/{rid}/approve", cast["seller"])
    c.ok("POST", f"{API}/returns/{rid}/schedule-pickup", cast["seller"],
         {"pickup_at": now(24)})
    c.ok("POST", f"{API}/integration/returns/{rid}/picked-up", cast["service"], {"at": now()})
    refunded = c.ok("POST", f"{API}/returns/{rid}/refund", cast["service"],
                    {"amount": item["unit_price"]["amount"]})
    assert refunded["status"] == "refunded", refunded
    return {"steps": 5}
