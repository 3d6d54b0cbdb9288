import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the folder holding package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** `../shared` beside the project: seeds, vectors, public corpus. Absent in a user's clone. */
export const SHARED = process.env.MPSCOPE_SHARED ?? resolve(ROOT, '../shared');
export const HAVE_SHARED = existsSync(join(SHARED, 'corpus'));
export const CORPUS = join(SHARED, 'corpus/public');
/** Value for node:test's `skip` option: false when ../shared is there, else the reason. */
export const SKIP_NO_SHARED: string | false = HAVE_SHARED ? false : `../shared not found at ${SHARED}; set MPSCOPE_SHARED to run these tests`;

/** Every capture file of the public corpus (pcap/pcapng by content, whatever the extension), sorted. */
export function corpusCaptures(): string[] {
  if (!HAVE_SHARED) return [];
  const out: string[] = [];
  for (const dir of ['tcpdump', 'ptcpdump', 'pymptcpanalyzer', 'zeek']) {
    const d = join(CORPUS, dir);
    if (!existsSync(d)) continue;
    for (const n of readdirSync(d).sort()) if (/\.(pcap|pcapng)(\.gz)?$/.test(n)) out.push(join(d, n));
  }
  return out;
}

export function hasCommand(cmd: string): boolean {
  for (const p of (process.env.PATH ?? '').split(':')) if (p && existsSync(join(p, cmd))) return true;
  return false;
}

/** The project's own lab captures (test/fixtures/lab/*.pcapng), sorted. */
export function labCaptures(): string[] {
  const lab = join(ROOT, 'test/fixtures/lab');
  return readdirSync(lab).filter((n) => n.endsWith('.pcapng')).sort().map((n) => join(lab, n));
}

/** The public corpus, then the lab captures: every real capture the tests compare on. */
export function corpusAndLabCaptures(): string[] {
  return [...corpusCaptures(), ...labCaptures()];
}

/** `compare` run over every real capture's bytes (named by file), its counts summed: what a test then checks was not vacuous. */
export function sumOverRealCaptures(compare: (bytes: Uint8Array, label: string) => number): number {
  let n = 0;
  for (const file of corpusAndLabCaptures()) n += compare(new Uint8Array(readFileSync(file)), basename(file));
  return n;
}
