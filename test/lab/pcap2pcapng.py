#!/usr/bin/env python3
"""Rewrite a classic pcap file (what tcpdump writes) as pcapng.

tcpdump 4.99 only writes classic pcap. pcapng lets the lab file say where it
came from: the section header carries the operating system, the recording
application and a comment (scenario and command), and the interface block
carries the interface name and timestamp resolution. Packets are copied
byte for byte, with their timestamps at the original resolution.

usage: pcap2pcapng.py IN.pcap OUT.pcapng [--if-name NAME] [--os TEXT]
                      [--app TEXT] [--comment TEXT]...
"""

import argparse
import struct
import sys

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D

SHB, IDB, EPB = 0x0A0D0D0A, 0x00000001, 0x00000006
BYTE_ORDER_MAGIC = 0x1A2B3C4D
OPT_ENDOFOPT, OPT_COMMENT = 0, 1
SHB_OS, SHB_USERAPPL = 3, 4
IF_NAME, IF_TSRESOL = 2, 9


def pad4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def options(items: list[tuple[int, bytes]]) -> bytes:
    if not items:
        return b""
    out = b"".join(struct.pack("<HH", code, len(value)) + pad4(value) for code, value in items)
    return out + struct.pack("<HH", OPT_ENDOFOPT, 0)


def block(block_type: int, body: bytes) -> bytes:
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def convert(src: bytes, if_name: str | None, os_name: str | None, app: str | None,
            comments: list[str]) -> bytes:
    if len(src) < 24:
        raise ValueError("not a pcap file: shorter than its header")
    for order in ("<", ">"):
        magic = struct.unpack_from(order + "I", src, 0)[0]
        if magic in (MAGIC_US, MAGIC_NS):
            break
    else:
        raise ValueError("not a pcap file: bad magic number")
    _, _, _, _, _, snaplen, linktype = struct.unpack_from(order + "IHHiIII", src, 0)
    digits = 9 if magic == MAGIC_NS else 6
    per_sec = 10 ** digits

    shb_opts = [(OPT_COMMENT, c.encode()) for c in comments]
    if os_name:
        shb_opts.append((SHB_OS, os_name.encode()))
    if app:
        shb_opts.append((SHB_USERAPPL, app.encode()))
    # Section length -1: unknown, readers walk the blocks.
    out = [block(SHB, struct.pack("<IHHq", BYTE_ORDER_MAGIC, 1, 0, -1) + options(shb_opts))]

    idb_opts = [(IF_TSRESOL, bytes([digits]))]
    if if_name:
        idb_opts.insert(0, (IF_NAME, if_name.encode()))
    out.append(block(IDB, struct.pack("<HHI", linktype & 0xFFFF, 0, snaplen) + options(idb_opts)))

    pos = 24
    while pos < len(src):
        if pos + 16 > len(src):
            raise ValueError(f"truncated record header at byte {pos}")
        sec, frac, caplen, origlen = struct.unpack_from(order + "IIII", src, pos)
        pos += 16
        if pos + caplen > len(src):
            raise ValueError(f"truncated packet data at byte {pos}")
        data = src[pos:pos + caplen]
        pos += caplen
        ts = sec * per_sec + frac
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, caplen, origlen) + pad4(data)
        out.append(block(EPB, body))
    return b"".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description="pcap to pcapng, with provenance options")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--if-name")
    p.add_argument("--os")
    p.add_argument("--app")
    p.add_argument("--comment", action="append", default=[])
    a = p.parse_args()
    with open(a.src, "rb") as f:
        src = f.read()
    try:
        data = convert(src, a.if_name, a.os, a.app, a.comment)
    except ValueError as e:
        print(f"pcap2pcapng: {a.src}: {e}", file=sys.stderr)
        return 1
    with open(a.dst, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
