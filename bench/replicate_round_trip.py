"""Warm round trip of Replicate's create with `Prefer: wait` against RunPod's `/runsync`, the same function, sequential
calls on one keep-alive connection. Usage: python3 bench/replicate_round_trip.py HOST PORT KEY CALLS, against a
server with examples/echo deployed (see bench/README.md)."""
import http.client, json, statistics, sys, time
host, port, key, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
c = http.client.HTTPConnection(host, port)
def call(path, headers):
    h = {"Authorization": "Bearer " + key, "Content-Type": "application/json", **headers}
    t = time.perf_counter()
    c.request("POST", path, body=json.dumps({"input": {"x": 1}}), headers=h)
    r = c.getresponse(); body = r.read()
    assert r.status in (200, 201), (r.status, body)
    return (time.perf_counter() - t) * 1000
for _ in range(200):
    call("/v2/echo/runsync", {}); call("/v1/models/me/echo/predictions", {"Prefer": "wait"})
for name, path, h in [("runsync", "/v2/echo/runsync", {}), ("prediction", "/v1/models/me/echo/predictions", {"Prefer": "wait"})]:
    ms = sorted(call(path, h) for _ in range(n))
    print(f"{name}: p50 {statistics.median(ms):.2f} ms, p99 {ms[int(len(ms)*0.99)]:.2f} ms ({n} calls)")
