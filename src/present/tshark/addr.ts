/** Address text as tshark prints it with name resolution off. */

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));

/** Dotted quad of an unsigned 32-bit address. */
export function ipv4String(a: number): string {
  return (a >>> 24) + '.' + ((a >>> 16) & 0xff) + '.' + ((a >>> 8) & 0xff) + '.' + (a & 0xff);
}

/**
 * RFC 5952 text of a 16-byte address: lower-case groups without leading
 * zeros, the longest run of two or more zero groups (the first one on a tie)
 * written as "::", IPv4-mapped addresses with a dotted quad tail.
 */
export function ipv6String(b: Uint8Array, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[off + 2 * i] ?? 0) << 8) | (b[off + 2 * i + 1] ?? 0));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return '::ffff:' + ipv4String(((g[6]! << 16) | g[7]!) >>> 0);
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += g[i]!.toString(16);
  }
  return s;
}

/** Colon-separated lower-case hex of link-layer address bytes. */
export function macString(b: Uint8Array, off = 0, len = 6): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    if (i) s += ':';
    s += HEX2[b[off + i] ?? 0];
  }
  return s;
}

/** tshark shows the all-ones Ethernet address by its well-known name even with resolution off. */
export function macDisplay(b: Uint8Array, off = 0): string {
  let allOnes = true;
  for (let i = 0; i < 6; i++) if (b[off + i] !== 0xff) { allOnes = false; break; }
  return allOnes ? 'Broadcast' : macString(b, off, 6);
}

/** Lower-case hex of every byte, no separators. */
export function hexString(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = '';
  for (let i = 0; i < len; i++) s += HEX2[b[off + i] ?? 0];
  return s;
}

export function hex2(v: number): string {
  return HEX2[v & 0xff]!;
}
