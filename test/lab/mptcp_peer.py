#!/usr/bin/env python3
"""Traffic endpoint for the MPTCP lab: one connection, a known amount of data.

Node's `net` cannot open IPPROTO_MPTCP sockets, so the lab drives the kernel
from here. The payload is readable text so hex dumps of the captures show
where each byte belongs.

  server: listen, accept one connection, then either echo what arrives
          (--echo) or read until the client's FIN and answer --send bytes.
  client: connect, send --send bytes (a reader thread drains the socket
          meanwhile, so echoing cannot deadlock), half-close, read to EOF.

--chunk/--interval pace the sending so a transfer lasts long enough for path
manager changes made from outside; --abort-after closes with SO_LINGER 0
(an MPTCP socket then sends MP_FASTCLOSE instead of a DATA_FIN).
"""

import argparse
import socket
import struct
import sys
import threading
import time

IPPROTO_MPTCP = 262
LINE = 32  # bytes per payload line


def payload(tag: str, size: int) -> bytes:
    """`size` bytes of numbered 32-byte lines: "<tag> 00000123 mpscope lab...\\n"."""
    lines = []
    for i in range(size // LINE + 1):
        head = f"{tag} {i:08d} mpscope lab"
        lines.append(head.ljust(LINE - 1, ".") + "\n")
    return "".join(lines).encode()[:size]


def make_socket(family: int, tcp: bool) -> socket.socket:
    proto = 0 if tcp else IPPROTO_MPTCP
    try:
        return socket.socket(family, socket.SOCK_STREAM, proto)
    except OSError as e:
        sys.exit(f"mptcp_peer: cannot create {'TCP' if tcp else 'MPTCP'} socket: {e}")


def family_of(addr: str) -> int:
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def send_paced(sock: socket.socket, data: bytes, chunk: int, interval: float,
               deadline: float | None = None) -> None:
    """Send `data` in `chunk`-byte pieces `interval` seconds apart, stopping at `deadline` (monotonic)."""
    if chunk <= 0:
        sock.sendall(data)
        return
    for start in range(0, len(data), chunk):
        if deadline is not None and time.monotonic() >= deadline:
            return
        sock.sendall(data[start:start + chunk])
        if interval > 0 and start + chunk < len(data):
            time.sleep(interval)


def linger_zero(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def log(args, msg: str) -> None:
    if not args.quiet:
        print(f"mptcp_peer {args.mode}: {msg}", file=sys.stderr, flush=True)


def run_server(args) -> int:
    srv = make_socket(family_of(args.addr), args.tcp)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.addr, args.port))
    srv.listen(1)
    if args.ready:
        # The recorder waits for this file instead of guessing how long listen() takes.
        with open(args.ready, "w") as f:
            f.write("listening\n")
    srv.settimeout(args.timeout)
    conn, peer = srv.accept()
    conn.settimeout(args.timeout)
    log(args, f"accepted {peer[0]} port {peer[1]}")
    received = 0
    try:
        if args.echo:
            while True:
                buf = conn.recv(65536)
                if not buf:
                    break
                received += len(buf)
                conn.sendall(buf)
        else:
            while True:
                buf = conn.recv(65536)
                if not buf:
                    break
                received += len(buf)
            send_paced(conn, payload("S", args.send), args.chunk, args.interval)
        conn.close()
    except (ConnectionResetError, BrokenPipeError) as e:
        # Expected when the client aborts: the abort is what the scenario records.
        log(args, f"connection reset by peer ({e.__class__.__name__})")
    log(args, f"received {received} bytes")
    srv.close()
    return 0


def run_client(args) -> int:
    sock = make_socket(family_of(args.addr), args.tcp)
    sock.settimeout(args.timeout)
    sock.connect((args.addr, args.port))
    if args.start_delay > 0:
        # Gives the path manager time to add subflows before the data starts.
        time.sleep(args.start_delay)
    received = [0]
    reset = [False]

    def reader() -> None:
        try:
            while True:
                buf = sock.recv(65536)
                if not buf:
                    return
                received[0] += len(buf)
        except OSError:
            reset[0] = True

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    if args.abort_after is not None:
        # Keep data flowing until the deadline, then reset the whole connection.
        deadline = time.monotonic() + args.abort_after
        try:
            send_paced(sock, payload("C", args.send), args.chunk, args.interval, deadline)
        except OSError:
            pass
        time.sleep(max(0.0, deadline - time.monotonic()))
        linger_zero(sock)
        sock.close()
        log(args, f"aborted after {args.abort_after}s, {received[0]} bytes received")
        return 0
    send_paced(sock, payload("C", args.send), args.chunk, args.interval)
    sock.shutdown(socket.SHUT_WR)
    t.join(args.timeout)
    sock.close()
    log(args, f"sent {args.send}, received {received[0]} bytes")
    if reset[0]:
        log(args, "connection was reset")
        return 1
    if args.expect is not None and received[0] != args.expect:
        log(args, f"expected {args.expect} bytes")
        return 1
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description="MPTCP lab traffic endpoint")
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("addr", help="address to listen on (server) or connect to (client)")
    p.add_argument("port", type=int)
    p.add_argument("--tcp", action="store_true", help="plain TCP socket instead of MPTCP")
    p.add_argument("--send", type=int, default=0, help="bytes to send (server: after the client's FIN)")
    p.add_argument("--echo", action="store_true", help="server: echo everything back")
    p.add_argument("--expect", type=int, help="client: fail unless exactly this many bytes come back")
    p.add_argument("--chunk", type=int, default=0, help="send in chunks of this many bytes")
    p.add_argument("--interval", type=float, default=0.0, help="seconds between chunks")
    p.add_argument("--start-delay", type=float, default=0.0, help="client: seconds to wait after connecting")
    p.add_argument("--abort-after", type=float, help="client: close with SO_LINGER 0 after this many seconds")
    p.add_argument("--ready", help="server: file to create once listening")
    p.add_argument("--timeout", type=float, default=20.0)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args()
    return run_server(args) if args.mode == "server" else run_client(args)


if __name__ == "__main__":
    sys.exit(main())
