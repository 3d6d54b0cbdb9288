/**
 * The in-kernel path manager's endpoints and limits (`ip mptcp endpoint`,
 * `ip mptcp limits`), and the temporary set `--via` adds for one run: every
 * endpoint added and every limit raised is undone when the run ends, by
 * `restore()` or, if the process dies first, by the cleanup hooks
 * (exit, uncaught error, SIGINT/SIGTERM/SIGHUP).
 */
import { onCleanup } from './cleanup.js';
import { SysError } from './errors.js';
import { IpCommand } from './ip-command.js';
import type { IpFamily } from './ip-address.js';

export type EndpointFlag = 'signal' | 'subflow' | 'backup' | 'fullmesh';

export interface MptcpEndpoint {
  id: number;
  address: string;
  port?: number;
  dev?: string;
  flags: EndpointFlag[];
}

export interface MptcpLimits {
  /** Extra subflows per connection (beyond the initial one). */
  subflows: number;
  /** ADD_ADDR announcements accepted per connection. */
  addAddrAccepted: number;
}

/** The kernel's ceiling for both limits (MPTCP_PM_ADDR_MAX). */
export const MAX_LIMIT = 8;
const FLAGS: readonly EndpointFlag[] = ['signal', 'subflow', 'backup', 'fullmesh'];

interface EndpointJson {
  id: number;
  address: string;
  port?: number;
  dev?: string;
  [flag: string]: unknown;
}

export function listEndpoints(ip = new IpCommand()): MptcpEndpoint[] {
  return ip.json<EndpointJson[]>(['mptcp', 'endpoint', 'show']).map((e) => {
    const ep: MptcpEndpoint = { id: e.id, address: e.address, flags: FLAGS.filter((f) => e[f] === true) };
    if (e.port !== undefined) ep.port = e.port;
    if (e.dev !== undefined) ep.dev = e.dev;
    return ep;
  });
}

/** Adds an endpoint and returns it as the kernel numbered it. */
export function addEndpoint(address: string, dev: string | undefined, flags: readonly EndpointFlag[], ip = new IpCommand()): MptcpEndpoint {
  ip.run(['mptcp', 'endpoint', 'add', address, ...(dev === undefined ? [] : ['dev', dev]), ...flags]);
  const ep = listEndpoints(ip).find((e) => e.address === address);
  if (!ep) throw new SysError('COMMAND', `ip mptcp endpoint add ${address}: the endpoint does not show afterwards`);
  return ep;
}

export function deleteEndpoint(id: number, ip = new IpCommand()): void {
  ip.run(['mptcp', 'endpoint', 'delete', 'id', String(id)]);
}

export function getLimits(ip = new IpCommand()): MptcpLimits {
  // iproute2 prints the limits as text even with -j: "add_addr_accepted 0 subflows 2".
  const out = ip.run(['mptcp', 'limits', 'show']);
  const num = (name: string): number => Number(new RegExp(`\\b${name}\\s+(\\d+)`).exec(out)?.[1] ?? 0);
  return { subflows: num('subflows'), addAddrAccepted: num('add_addr_accepted') };
}

export function setLimits(l: MptcpLimits, ip = new IpCommand()): void {
  ip.run(['mptcp', 'limits', 'set', 'subflows', String(l.subflows), 'add_addr_accepted', String(l.addAddrAccepted)]);
}

export interface InterfaceAddress {
  family: IpFamily;
  address: string;
  prefixLength: number;
}

interface AddrJson {
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope: string }>;
}

/** The interface's global addresses (link-local ones cannot carry subflows to other networks). */
export function interfaceAddresses(dev: string, ip = new IpCommand()): InterfaceAddress[] {
  let links: AddrJson[];
  try {
    links = ip.json<AddrJson[]>(['addr', 'show', 'dev', dev]);
  } catch (e) {
    if (e instanceof SysError && e.code === 'COMMAND' && /does not exist/.test(e.message)) {
      throw new SysError('INTERFACE', `no interface named '${dev}'`, "list them with 'ip link'");
    }
    throw e;
  }
  const out: InterfaceAddress[] = [];
  for (const a of links[0]?.addr_info ?? []) {
    if (a.scope !== 'global' || (a.family !== 'inet' && a.family !== 'inet6')) continue;
    out.push({ family: a.family === 'inet' ? 4 : 6, address: a.local, prefixLength: a.prefixlen });
  }
  return out;
}

export interface ViaOptions {
  /** Only addresses of this family (the connection's); both when absent. */
  family?: IpFamily;
  /** Flags of the added endpoints; default ['subflow'] (the client opens subflows from them). */
  flags?: readonly EndpointFlag[];
  ip?: IpCommand;
}

/** What `addViaEndpoints` changed, and how to undo it. */
export class ViaEndpoints {
  /** Endpoints added for this run (removed by restore). */
  readonly added: MptcpEndpoint[] = [];
  /** Endpoints that already existed for an interface's address (left alone). */
  readonly existing: MptcpEndpoint[] = [];
  limitsBefore: MptcpLimits | undefined;
  limitsNow: MptcpLimits | undefined;
  private readonly undo: Array<() => void> = [];

  /** Removes what was added and puts the limits back; safe to call twice. */
  restore(): void {
    while (this.undo.length > 0) this.undo.pop()!();
  }

  /** @internal */
  track(undo: () => void): void {
    this.undo.push(onCleanup(undo));
  }
}

/**
 * Adds an endpoint (bound to its interface; a subflow endpoint unless
 * `flags` say otherwise) for every global address of each interface, and
 * raises the subflow limit so the kernel may use them all. On failure,
 * whatever was already changed is undone before throwing.
 */
export function addViaEndpoints(interfaces: readonly string[], opts: ViaOptions = {}): ViaEndpoints {
  const ip = opts.ip ?? new IpCommand();
  const flags = opts.flags ?? ['subflow'];
  const via = new ViaEndpoints();
  try {
    const plan: Array<{ dev: string; address: string }> = [];
    for (const dev of interfaces) {
      const addrs = interfaceAddresses(dev, ip).filter((a) => opts.family === undefined || a.family === opts.family);
      if (addrs.length === 0) {
        const fam = opts.family === undefined ? '' : `IPv${opts.family} `;
        throw new SysError('INTERFACE', `interface '${dev}' has no global ${fam}address for a subflow`, `add one with 'ip addr add ADDRESS/LEN dev ${dev}'`);
      }
      for (const a of addrs) plan.push({ dev, address: a.address });
    }
    const before = listEndpoints(ip);
    for (const { dev, address } of plan) {
      const found = before.find((e) => e.address === address);
      if (found) {
        via.existing.push(found);
        continue;
      }
      const ep = addEndpoint(address, dev, flags, ip);
      via.added.push(ep);
      via.track(() => deleteEndpoint(ep.id, ip));
    }
    const limits = getLimits(ip);
    via.limitsBefore = limits;
    // Each subflow endpoint opens a subflow, each announced one invites a join: both count against the limit.
    const wanted = listEndpoints(ip).filter((e) => e.flags.includes('subflow') || e.flags.includes('signal')).length;
    const raised = { ...limits, subflows: Math.min(MAX_LIMIT, Math.max(limits.subflows, wanted)) };
    if (raised.subflows !== limits.subflows) {
      setLimits(raised, ip);
      via.track(() => setLimits(limits, ip));
    }
    via.limitsNow = raised;
    return via;
  } catch (e) {
    via.restore();
    throw e;
  }
}
