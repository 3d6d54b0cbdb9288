#!/usr/bin/env python3
"""Turn off checksum and segmentation offloads on network interfaces.

veth devices offload TCP checksums and segmentation by default, so a capture
on them shows unfilled checksums and 64 KB "packets" that no wire ever
carried. The lab wants captures that look like a real link: one MSS per
packet, correct checksums. This does what `ethtool -K DEV tx off tso off
gso off gro off` would, through the ethtool ioctl, because ethtool itself is
not installed everywhere the lab runs.

usage: offload.py IFNAME...   (run inside the interface's network namespace)
"""

import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
# Legacy ethtool "set" commands, each taking a struct ethtool_value {u32 cmd, data}.
ETHTOOL_STXCSUM = 0x17
ETHTOOL_STSO = 0x1F
ETHTOOL_SGSO = 0x24
ETHTOOL_SGRO = 0x2C
IFNAMSIZ = 16
IFREQ_SIZE = 40


def ethtool_set(sock: socket.socket, ifname: str, cmd: int, value: int) -> None:
    arg = ctypes.create_string_buffer(struct.pack("II", cmd, value))
    ifr = struct.pack(f"{IFNAMSIZ}sP", ifname.encode(), ctypes.addressof(arg))
    fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifr.ljust(IFREQ_SIZE, b"\0"))


def main(names: list[str]) -> int:
    if not names:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in names:
            # Checksum first: the kernel drops TSO by itself once TX checksumming is off.
            for cmd in (ETHTOOL_STXCSUM, ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO):
                try:
                    ethtool_set(sock, name, cmd, 0)
                except OSError as e:
                    print(f"offload.py: {name}: ethtool command {cmd:#x}: {e}", file=sys.stderr)
                    return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
