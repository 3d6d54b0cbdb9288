/** ADD_ADDR: HMAC failures, missing echoes, and addresses the peer never tried. */
import type { AdvertisedAddress, MptcpConnection } from '../../mptcp/types.js';
import { interval } from '../summary.js';
import type { ConnContext } from './context.js';
import { side } from './context.js';

/** An address advertised this long before the connection ended, never tried, is a warning; sooner, a note. */
const UNUSED_WARNING_SECONDS = 1;

function text(a: AdvertisedAddress): string {
  const addr = a.address.includes(':') ? `[${a.address}]` : a.address;
  return a.port === undefined ? `${addr} (id ${a.addrId})` : `${addr} port ${a.port} (id ${a.addrId})`;
}

/** The advertising side already uses this address in a subflow: no join to it is expected. */
function alreadyInUse(conn: MptcpConnection, a: AdvertisedAddress): boolean {
  return conn.subflows.some((s) => {
    const own = s.initiator === a.dir ? s.src : s.dst;
    return own.address === a.address && (a.port === undefined || own.port === a.port);
  });
}

export function addressRules(ctx: ConnContext): void {
  const c = ctx.conn;
  for (const a of c.addresses) {
    const who = side(a.dir);
    const peer = side(a.dir === 0 ? 1 : 0);
    const leftmost = c.findings.some((f) => f.code === 'mptcp.add_addr.hmac_leftmost' && f.frames.includes(a.frame));
    if (a.hmac === 'bad' && leftmost) {
      ctx.add({
        severity: 'warning',
        code: 'add_addr.hmac_leftmost',
        title: `ADD_ADDR ${text(a)} from the ${who} carries the leftmost 64 bits of its HMAC, not the rightmost`,
        frames: [a.frame],
        meaning: `The ${who} truncates the HMAC the way Linux did before May 2020; RFC 8684 and current stacks use the rightmost 64 bits, so a current ${peer} rejects this advertisement and never uses the address.`,
        check: [`the ${who}'s kernel version: an update fixes it`],
      });
      continue;
    }
    if (a.hmac === 'bad') {
      ctx.add({
        severity: 'error',
        code: 'add_addr.hmac_bad',
        title: `ADD_ADDR ${text(a)} from the ${who}: its HMAC does not match the connection's keys`,
        frames: [a.frame],
        meaning: `The ${peer} must ignore this advertisement: either the option was altered on the way (a NAT rewriting addresses inside options, a middlebox), or it did not come from the ${who}.`,
        check: ['middleboxes that rewrite addresses (NAT): an address changed in flight no longer matches its HMAC', 'compare with a capture at the sender'],
      });
      continue;
    }
    if (c.version === 1 && a.hmac !== undefined && a.echoFrame === undefined && a.removedFrame === undefined) {
      ctx.add({
        severity: 'warning',
        code: 'add_addr.no_echo',
        title: `ADD_ADDR ${text(a)} from the ${who} was never echoed`,
        frames: [a.frame],
        meaning: `MPTCP v1 expects the ${peer} to echo every ADD_ADDR; without the echo the ${who} cannot know it arrived (it is sent on a pure ACK, which is not retransmitted like data). The option was lost or stripped, or the echo is missing from the capture.`,
        check: ['capture at the other end: did the ADD_ADDR arrive?', 'middleboxes that drop pure ACKs carrying unknown options'],
      });
    }
    if (a.joinAttempts.length > 0 || a.removedFrame !== undefined || alreadyInUse(c, a)) continue;
    const advertised = c.events.find((e) => e.kind === 'add_addr' && e.frame === a.frame)?.time ?? c.firstTime;
    const until = interval(advertised, c.lastTime);
    const long = until >= UNUSED_WARNING_SECONDS;
    ctx.add({
      severity: long ? 'warning' : 'note',
      code: 'add_addr.unused',
      title: `ADD_ADDR ${text(a)} from the ${who} was never used: no MP_JOIN to it in the capture`,
      frames: [a.frame],
      meaning: long
        ? `The ${peer} kept the connection open ${until.toFixed(1)} s after the advertisement without trying a subflow to it: its path manager does not accept more addresses, or cannot reach this one.`
        : `The connection ended ${(until * 1000).toFixed(0)} ms after the advertisement, perhaps before the ${peer} could use it.`,
      check: [
        `the ${peer}'s path-manager limits: ip mptcp limits show (add_addr_accepted must be at least 1, subflows at least 1 more than used)`,
        `that the ${peer} has a route to ${a.address}`,
        'joins to this address that a firewall drops before the capture point',
      ],
      facts: { address: a.address, addrId: a.addrId },
    });
  }
}
