/** tshark's `*.checksum.status`: 0 bad, 1 good, 2 unverified. mpscope verifies every checksum it can. */
export function checksumStatus(ok: boolean | undefined): number {
  return ok === undefined ? 2 : ok ? 1 : 0;
}
