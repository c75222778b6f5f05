"""A small HTTP client for the cluster test: the standard library only, so the test needs no
install beyond Python. Every call names the instance it goes to, or takes the next in turn."""
import itertools
import json
import threading
import urllib.error
import urllib.request
import uuid


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __repr__(self):
        return f"{self.status} {self.body[:300]!r}"


class Unreachable(Exception):
    """The instance did not answer (refused, reset, timed out): a client retries elsewhere."""


class Cluster:
    def __init__(self, ports):
        self.ports = ports
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def next_port(self):
        with self._lock:
            return self.ports[next(self._turn) % len(self.ports)]

    def call(self, method, path, token=None, body=None, port=None, headers=None, raw=None,
             content_type=None, timeout=30):
        port = port or self.next_port()
        url = f"http://127.0.0.1:{port}{path}"
        data = None
        h = dict(headers or {})
        if token:
            h["authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body).encode()
            h["content-type"] = "application/json"
        elif raw is not None:
            data = raw
            h["content-type"] = content_type
        req = urllib.request.Request(url, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return Answer(res.status, dict(res.headers), res.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, dict(e.headers), e.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
            raise Unreachable(f"{method} {url}: {e}") from e

    def ok(self, method, path, token=None, body=None, expect=(200, 201), **kw):
        got = self.call(method, path, token, body, **kw)
        if got.status not in expect:
            raise AssertionError(f"{method} {path} on {kw.get('port')}: {got}")
        return got.json

    def upload(self, path, token, filename, data, port=None):
        boundary = uuid.uuid4().hex
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return self.call("POST", path, token, raw=body, port=port,
                         content_type=f"multipart/form-data; boundary={boundary}")
