"""moto's server with a request log, for bench.py: the same WSGI application `moto_server` runs,
behind a wrapper that counts each request by its operation and keeps each answer, so that the
benchmark can say how many requests each tool made and replay the answers (replay.py).

Usage: python recorder.py PORT
  POST /_bench/mark?name=NAME   starts counting the requests that follow under NAME
  GET  /_bench/counts           {name: {operation: requests}}
  POST /_bench/save?path=FILE   writes the answers recorded so far (replay.py reads them)
"""

import collections
import io
import json
import sys
import threading
import urllib.parse

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

import replay

app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()
counts = collections.defaultdict(collections.Counter)
answers = {}
phase = ["seed"]


def control(environ, start_response):
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    path = environ["PATH_INFO"]
    with lock:
        if path == "/_bench/mark":
            phase[0] = query["name"][0]
            body = b"{}"
        elif path == "/_bench/counts":
            body = json.dumps(counts).encode()
        elif path == "/_bench/save":
            with open(query["path"][0], "w") as f:
                json.dump(answers, f)
            body = json.dumps({"answers": len(answers)}).encode()
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b"{}"]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def recording(environ, start_response):
    if environ["PATH_INFO"].startswith("/_bench/"):
        return control(environ, start_response)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    headers["content-type"] = environ.get("CONTENT_TYPE", "")
    key = replay.key(environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("QUERY_STRING", ""), headers, body)
    status_headers = []

    def keep(status, response_headers, exc_info=None):
        status_headers[:] = [status, response_headers]
        return start_response(status, response_headers, exc_info)

    try:
        chunks = list(app(environ, keep))
    except Exception:
        # moto failed (its server answers 500): so does the replay.
        with lock:
            counts[phase[0]][replay.operation(headers, body)] += 1
            answers[key] = {"status": 500, "headers": [], "body": ""}
        raise
    status, response_headers = status_headers
    with lock:
        counts[phase[0]][replay.operation(headers, body)] += 1
        answers[key] = {
            "status": int(status.split()[0]),
            "headers": [[k, v] for k, v in response_headers if k.lower() not in ("content-length", "date", "server", "connection")],
            "body": b"".join(chunks).decode("utf-8", "surrogateescape"),
        }
    return chunks


if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[1]), recording, threaded=True)
