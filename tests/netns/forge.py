#!/usr/bin/env python3
"""Send hostile heartbeat datagrams, as a third party on the link would.

usage: forge.py KIND DEST-IP PORT [SECRET GEN SEQ]
KIND: forged (right format, wrong key), unknown-key, truncated, oversized,
signed (a valid signature with SECRET, for replays and old generations).
FORGE_COUNT=N sends it N times.  KIND flood: forged datagrams as fast as
possible for FORGE_SECONDS seconds (default 5).
"""
import hashlib
import hmac
import os
import socket
import sys
import time


def message(gen, seq, key_id, secret):
    body = (">>>\nt=status\nsrc=rabius\ngen=%x\nseq=%x\nst=up\nhold=0\n"
            "ready=\nstandby=0\nfailed=0\ntk=0\nrsum=x\ndt=500\n" % (gen, seq))
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return (body + "auth=%d %s\n<<<\n" % (key_id, digest)).encode()


def main():
    kind, dest, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if kind in ("forged", "flood"):
        data = message(1, 1 << 40, 1, "not-the-secret")
    elif kind == "unknown-key":
        data = message(1, 1 << 40, 9, "netns-test-secret")
    elif kind == "truncated":
        data = message(1, 1 << 40, 1, "netns-test-secret")[:-10]
    elif kind == "oversized":
        data = b">>>\n" + b"x=" + b"y" * 3000 + b"\n<<<\n"
    else:
        data = message(int(sys.argv[5]), int(sys.argv[6]), 1, sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if kind == "flood":
        end = time.monotonic() + float(os.environ.get("FORGE_SECONDS", "5"))
        while time.monotonic() < end:
            for _ in range(1000):
                try:
                    s.sendto(data, (dest, port))
                except OSError:
                    pass  # a full send buffer: go on
        return
    for _ in range(int(os.environ.get("FORGE_COUNT", "1"))):
        s.sendto(data, (dest, port))


main()
