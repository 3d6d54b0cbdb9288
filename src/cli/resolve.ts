import { lookup } from 'node:dns/promises';
import { parseIp } from '../sys/index.js';
import { UsageError } from '../util/errors.js';

/** The target's address: as given, or the first the resolver returns for the family asked. */
export async function resolveTarget(host: string, family: 4 | 6 | undefined): Promise<string> {
  const ip = parseIp(host);
  if (ip) {
    if (family !== undefined && ip.family !== family) throw new UsageError(`${host} is not an IPv${family} address`);
    return host;
  }
  try {
    return (await lookup(host, family === undefined ? {} : { family })).address;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot resolve '${host}'${family ? ` to an IPv${family} address` : ''} (${code})`);
  }
}
