#!/usr/bin/env python3
"""netprobe: what the raw replication link can do, as a baseline row.

  netprobe.py serve PORT            accept one connection per test, forever
  netprobe.py stream HOST PORT MIB  send MIB MiB, print MiB/s (until the
                                    receiver has read it all)
  netprobe.py pingpong HOST PORT N  N round trips of 4 KiB, print JSON with
                                    iops, mean_us and p99_us

The first byte of a connection says which test it is ("S" or "P").
"""
import json
import socket
import sys
import time

CHUNK = 1 << 20
BLOCK = 4096


def recv_exact(conn, n):
    data = bytearray()
    while len(data) < n:
        part = conn.recv(n - len(data))
        if not part:
            raise EOFError
        data += part
    return bytes(data)


def serve(port):
    lsock = socket.create_server(("", port))
    while True:
        conn, _ = lsock.accept()
        with conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            kind = recv_exact(conn, 1)
            try:
                if kind == b"S":
                    total = 0
                    while part := conn.recv(CHUNK):
                        total += len(part)
                    conn.sendall(str(total).encode())
                else:
                    while True:
                        conn.sendall(recv_exact(conn, BLOCK))
            except (EOFError, ConnectionError):
                pass


def connect(host, port, kind):
    # The server may still be starting: retry for a while.
    for _ in range(150):
        try:
            conn = socket.create_connection((host, port))
            break
        except ConnectionRefusedError:
            time.sleep(0.2)
    else:
        sys.exit(f"netprobe: cannot connect to {host}:{port}")
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.sendall(kind)
    return conn


def stream(host, port, mib):
    conn = connect(host, port, b"S")
    buf = bytes(CHUNK)
    t0 = time.monotonic()
    for _ in range(mib):
        conn.sendall(buf)
    conn.shutdown(socket.SHUT_WR)
    total = int(conn.recv(64))
    print(total / CHUNK / (time.monotonic() - t0))


def pingpong(host, port, n):
    conn = connect(host, port, b"P")
    buf = bytes(BLOCK)
    lat = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        conn.sendall(buf)
        recv_exact(conn, BLOCK)
        lat.append(time.perf_counter_ns() - t0)
    lat.sort()
    mean = sum(lat) / n
    print(json.dumps({"iops": 1e9 / mean, "mean_us": mean / 1000,
                      "p99_us": lat[int(n * 0.99) - 1] / 1000}))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "serve":
        serve(int(args[0]))
    elif cmd == "stream":
        stream(args[0], int(args[1]), int(args[2]))
    else:
        pingpong(args[0], int(args[1]), int(args[2]))
