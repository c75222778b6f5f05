"""A webhook receiver for trying aftersale locally: verifies each request's signature with
WEBHOOK_SECRET (Standard Webhooks v1), prints the event and answers 204.

    WEBHOOK_SECRET=whsec_... python3 samples/webhooks/receiver.py 9000
"""
import base64, hashlib, hmac, json, os, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer


def verify(secret: str, msg_id: str, timestamp: str, body: bytes, header: str) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    fresh = abs(time.time() - int(timestamp)) < 5 * 60  # refuse replays of old messages
    return fresh and any(
        hmac.compare_digest(sig.removeprefix("v1,"), expected) for sig in header.split(" ")
    )


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        h = self.headers
        ok = verify(os.environ["WEBHOOK_SECRET"], h["webhook-id"], h["webhook-timestamp"], body,
                    h["webhook-signature"])
        event = json.loads(body)
        print(("verified" if ok else "BAD SIGNATURE"), h["webhook-id"], event["type"],
              json.dumps(event["data"], ensure_ascii=False), flush=True)
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000), Handler).serve_forever()
