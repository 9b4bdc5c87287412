"""The answers recorder.py kept, served again after a fixed delay: an AWS that answers as moto
did, but with the latency of a network and without moto's own cost per request (about 6 ms of
Python, one request at a time), so that the benchmark can time the tools rather than the
emulator. A request it has no answer for gets HTTP 500 and is counted.

Usage: python replay.py ANSWERS.json PORT LATENCY_MS
  GET /_bench/missed   the requests that had no recorded answer
"""

import asyncio
import json
import re
import sys
import urllib.parse

# Services whose answers do not depend on the region a request is signed for.
GLOBAL = ("sts", "organizations", "iam")
SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


def key(method, path, query, headers, body):
    """What identifies a request across runs: not its signature or date, but its operation,
    region, service and body."""
    scope = SCOPE.search(headers.get("authorization", ""))
    region, service = scope.groups() if scope else ("", "")
    if service in GLOBAL:
        # Prowler signs them for any region it audits, picked anew on each run.
        region = ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "surrogateescape")
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        # Form bodies (STS): the same fields in any order.
        body = "&".join(sorted("=".join(p) for p in urllib.parse.parse_qsl(body, keep_blank_values=True)))
    return "\n".join([method, path, query, region, service, headers.get("x-amz-target", ""), body])


def operation(headers, body):
    """`DescribeRepositories`, `sts:GetCallerIdentity`: what a request asks for."""
    target = headers.get("x-amz-target")
    if target:
        return target.split(".")[-1]
    if isinstance(body, bytes):
        body = body.decode("utf-8", "surrogateescape")
    action = urllib.parse.parse_qs(body).get("Action")
    return action[0] if action else "other"


async def serve(answers, port, latency):
    missed = []

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                if headers.get("transfer-encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                        chunk = await reader.readexactly(size + 2)
                        if size == 0:
                            break
                        body += chunk[:-2]
                else:
                    body = await reader.readexactly(int(headers.get("content-length", 0)))
                path, _, query = target.partition("?")
                if path == "/_bench/missed":
                    status, extra, text = 200, [], json.dumps({"missed": missed})
                else:
                    answer = answers.get(key(method, path, query, headers, body))
                    await asyncio.sleep(latency)
                    if answer is None:
                        missed.append(key(method, path, query, headers, body))
                        status, extra, text = 500, [], "{}"
                    else:
                        status, extra, text = answer["status"], answer["headers"], answer["body"]
                data = text.encode("utf-8", "surrogateescape")
                out = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in extra] + [f"Content-Length: {len(data)}", "", ""]
                writer.write("\r\n".join(out).encode("latin-1") + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        recorded = json.load(f)
    asyncio.run(serve(recorded, int(sys.argv[2]), float(sys.argv[3]) / 1000))
