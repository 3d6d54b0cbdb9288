import { readdirSync, readFileSync } from 'node:fs';

let byIndex: Map<number, string> | undefined;

/**
 * The name this host gives an interface index, as tcpdump prints it for
 * Linux cooked v2 captures (the index recorded in the file is the capturing
 * host's, so on another host the name may differ or be unknown).
 */
export function localInterfaceName(ifIndex: number): string | undefined {
  if (!byIndex) {
    byIndex = new Map();
    try {
      for (const name of readdirSync('/sys/class/net')) {
        const idx = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
        if (Number.isInteger(idx)) byIndex.set(idx, name);
      }
    } catch {
      // No sysfs (not Linux, or a sandbox): every index is unknown, as tcpdump shows it.
    }
  }
  return byIndex.get(ifIndex);
}
