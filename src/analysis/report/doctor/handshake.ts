/**
 * Handshakes: the connection's own (MP_CAPABLE) and every join (MP_JOIN)
 * that did not complete, with the most likely reason the frames allow.
 */
import { tcprstReasonName } from '../../../wire/index.js';
import type { MptcpSubflow } from '../../mptcp/types.js';
import type { ConnContext } from './context.js';
import { endpoint, framesText, plural, side, subflowName } from './context.js';

/** A join younger than this at the end of the capture, with no SYN retransmitted yet, may simply be in progress. */
const IN_PROGRESS_SECONDS = 1;

const RESET_ADVICE: Record<number, string> = {
  0: 'the reset gives no reason: look at the peer\'s logs and counters (nstat -az | grep -i mptcp)',
  1: 'an MPTCP-specific error: a protocol violation by one of the stacks, or options altered on the way',
  2: 'the peer lacks resources for another subflow: memory, or a per-connection limit',
  3: 'administratively prohibited: the peer\'s path manager refuses more subflows (Linux: ip mptcp limits show — subflows and add_addr_accepted; ip mptcp endpoint show)',
  4: 'too much outstanding data on this subflow: the peer gave up on it',
  5: 'unacceptable performance: the peer judged this path too slow or lossy',
  6: 'middlebox interference: the peer saw options removed or altered on this path',
};

export function handshakeRules(ctx: ConnContext): void {
  connectionHandshake(ctx);
  for (const sub of ctx.conn.subflows) if (!sub.master) join(ctx, sub);
}

function connectionHandshake(ctx: ConnContext): void {
  const c = ctx.conn;
  const master = c.subflows.find((s) => s.master);
  if (c.origin !== 'syn' && c.origin !== 'join') {
    const where = c.origin === 'synack' ? 'at the SYN/ACK' : c.origin === 'ack' ? 'at the third ACK' : 'in the middle of the data';
    ctx.add({
      severity: 'note',
      code: 'capture.started_late',
      title: `the capture starts ${where} of this connection`,
      frames: [c.firstFrame],
      meaning: c.keys[0] !== undefined && c.keys[1] !== undefined
        ? 'Part of the handshake is missing from the capture; the keys were still learned, so the checks below could be made.'
        : 'Part of the handshake is missing from the capture, so the keys are not all known: HMACs, tokens and the DSS base cannot all be checked, and data sequence numbers count from the first one seen.',
      check: ['start the capture before the connection opens to get every check'],
    });
  }
  if (master === undefined || master.synFrame === undefined || master.synAckFrame !== undefined) return;
  const st = ctx.stream(master);
  const reset = ctx.conn.events.find((e) => e.kind === 'subflow_reset' && e.stream === master.stream && e.dir === 1);
  if (reset !== undefined) {
    ctx.add({
      severity: 'warning',
      code: 'connection.refused',
      stream: master.stream,
      title: `the server ${endpoint(master.dst)} refused the connection with a RST`,
      frames: [...(st?.synFrames ?? [master.synFrame]), reset.frame],
      meaning: 'Nothing accepted the connection on that address and port (a RST answers the SYN).',
      check: ['that the server application listens on this address and port (ss -ltnp; for MPTCP, ss -ltnM)', 'firewall rules that reject with a RST'],
    });
    return;
  }
  const synFrames = st?.synFrames ?? [master.synFrame];
  ctx.add({
    severity: 'warning',
    code: 'connection.no_answer',
    stream: master.stream,
    title: `the MP_CAPABLE SYN to ${endpoint(master.dst)} got no answer in the capture${master.synRetransmissions > 0 ? ` (${plural(master.synRetransmissions, 'retransmission')})` : ''}`,
    frames: synFrames,
    meaning: 'No SYN/ACK came back: the server is down or unreachable, a firewall drops the SYN (some drop SYNs carrying unknown options), or the capture ended first.',
    check: ['reachability of the server address and port from the client (routes, firewalls)', 'whether a middlebox drops SYNs with MPTCP options: try a plain TCP connection to the same port'],
    facts: { synRetransmissions: master.synRetransmissions },
  });
}

/**
 * Whether a join completed: established, or a third ACK with an MP_JOIN
 * whose HMAC is not wrong was seen (a join that succeeds on a later attempt,
 * after resets, still counts).
 */
export function joinCompleted(sub: MptcpSubflow): boolean {
  return (sub.establishedFrame !== undefined && sub.state !== 'failed') || (sub.ackHmac !== undefined && sub.ackHmac !== 'bad');
}

function join(ctx: ConnContext, sub: MptcpSubflow): void {
  const established = joinCompleted(sub);
  if (sub.tokenStatus === 'bad') {
    unknownToken(ctx, sub, established);
    return;
  }
  if (sub.synAckHmac === 'bad' || sub.ackHmac === 'bad') {
    badHmac(ctx, sub, established);
    return;
  }
  if (established) return;
  const st = ctx.stream(sub);
  const synFrames = st?.synFrames.length ? st.synFrames : [sub.synFrame];
  const synAckFrames = st?.synAckFrames ?? (sub.synAckFrame === undefined ? [] : [sub.synAckFrame]);
  const reset = ctx.conn.events.find((e) => e.kind === 'subflow_reset' && e.stream === sub.stream);
  const who = `join ${subflowName(sub)}`;
  const initiator = side(sub.initiator);
  const listener = side(sub.initiator === 0 ? 1 : 0);
  const base = { stream: sub.stream, facts: { synRetransmissions: sub.synRetransmissions, synAckRetransmissions: sub.synAckRetransmissions } };

  if (reset !== undefined) {
    const by = reset.dir === sub.initiator ? initiator : listener;
    const reason = reset.reason === undefined ? undefined : tcprstReasonName(reset.reason);
    ctx.add({
      ...base,
      severity: 'error',
      code: 'join.reset',
      title: `${who} was reset by the ${by}${reason === undefined ? '' : ` (MP_TCPRST: ${reason})`}`,
      frames: [...synFrames, ...synAckFrames, reset.frame],
      meaning: reset.dir === sub.initiator
        ? `The ${initiator} gave up its own join: it rejected the ${listener}'s answer (typically a bad MP_JOIN HMAC or a missing MP_JOIN in the SYN/ACK) or closed the connection meanwhile.`
        : `The ${listener} refused the join: it does not accept another subflow (path-manager limits, unknown token, address not allowed) or found the request invalid.`,
      check: [
        reset.reason === undefined ? 'the refusing host\'s limits: ip mptcp limits show (subflows, add_addr_accepted) and ip mptcp endpoint show' : RESET_ADVICE[reset.reason] ?? `reason code ${reset.reason}`,
        'MPTCP counters on the refusing host: nstat -az | grep -i mptcp (MPJoin* counters tell which check failed)',
      ],
      facts: { ...base.facts, resetBy: by, ...(reason === undefined ? {} : { reason, reasonCode: reset.reason! }) },
    });
    return;
  }
  if (sub.failure !== undefined) {
    ctx.add({
      ...base,
      severity: 'error',
      code: 'join.refused',
      title: `${who} failed: ${sub.failure.reason}`,
      frames: [...synFrames, ...synAckFrames, sub.failure.frame],
      meaning: 'The handshake went on as plain TCP: either the other end does not do MPTCP on this address, or a middlebox on this path removes the MP_JOIN option.',
      check: ['compare with a capture at the other end: an option present there but not here was stripped on the way', 'a middlebox (NAT, firewall, proxy) on this path only'],
    });
    return;
  }
  if (synAckFrames.length === 0) {
    if (sub.synRetransmissions === 0 && ctx.ageAtEnd(sub) < IN_PROGRESS_SECONDS) {
      ctx.add({
        ...base,
        severity: 'note',
        code: 'join.in_progress',
        title: `${who} was still waiting for its SYN/ACK when the capture ended`,
        frames: synFrames,
        meaning: 'The capture ended less than a second after the join started.',
        check: ['capture for longer to see how the join ends'],
      });
      return;
    }
    ctx.add({
      ...base,
      severity: 'error',
      code: 'join.no_synack',
      title: `${who} never completed: no SYN/ACK answered ${plural(synFrames.length, 'SYN')}`,
      frames: synFrames,
      meaning: `The ${initiator}'s MP_JOIN SYN got no answer in the capture: it did not reach the ${listener} (routing, a firewall dropping SYNs to this address or with MPTCP options), or the ${listener} dropped it silently, or its answer took another path the capture does not see.`,
      check: [
        `that ${endpoint(sub.dst)} is reachable from ${endpoint(sub.src)} (ping -I with that source address; ip route get ${sub.dst.address} from ${sub.src.address})`,
        'firewall rules on the way and on the listener (SYNs to that port on that address)',
        'where the capture was taken: an answer sent back on another interface is not in it',
      ],
    });
    return;
  }
  const firstSynAck = synAckFrames[0]!;
  const synsAfter = synFrames.filter((f): f is number => f !== undefined && f > firstSynAck);
  if (synsAfter.length > 0) {
    ctx.add({
      ...base,
      severity: 'error',
      code: 'join.synack_lost',
      title: `${who} never completed: the SYN/ACK was captured (frame ${firstSynAck}) but the SYN was retransmitted after it`,
      frames: [...synFrames, ...synAckFrames],
      meaning: `The ${listener} answered, yet the ${initiator} kept retransmitting its SYN (${framesText(synsAfter)}): the SYN/ACK never reached the ${initiator}'s TCP stack. It was lost after the capture point, or the ${initiator} dropped it (reverse-path filtering, a firewall, or routing that does not expect replies for ${sub.src.address} on the interface they arrive on).`,
      check: [
        'where the capture was taken: capture on the initiator itself, on the interface that owns the source address',
        `reverse-path filtering on the ${initiator} (sysctl net.ipv4.conf.all.rp_filter and per interface) and per-source-address routing (ip rule; one table per interface, as multihomed MPTCP hosts need)`,
        `firewall rules on the ${initiator}'s input path and on routers between the capture point and the ${initiator}`,
      ],
      facts: { ...base.facts, synAckFrame: firstSynAck, synRetransmissionsAfterSynAck: synsAfter.length },
    });
    return;
  }
  ctx.add({
    ...base,
    severity: 'error',
    code: 'join.no_third_ack',
    title: `${who} never completed: the SYN/ACK (frame ${firstSynAck}) got no third ACK`,
    frames: [...synFrames, ...synAckFrames],
    meaning: `The ${initiator} received no usable SYN/ACK or refused it without a RST in the capture${sub.synAckRetransmissions > 0 ? `; the ${listener} retransmitted its SYN/ACK ${plural(sub.synAckRetransmissions, 'time')}` : ''}. The third ACK may also have been lost between the ${initiator} and the capture point.`,
    check: [
      `the ${initiator}'s MPTCP counters (nstat -az | grep -i MPJoin): a SYN/ACK with a bad HMAC is dropped there`,
      'whether the SYN/ACK reaches the initiator (capture there)',
    ],
  });
}

function unknownToken(ctx: ConnContext, sub: MptcpSubflow, established: boolean): void {
  const st = ctx.stream(sub);
  const token = sub.token === undefined ? '' : ` 0x${sub.token.toString(16).padStart(8, '0')}`;
  const reset = ctx.conn.events.find((e) => e.kind === 'subflow_reset' && e.stream === sub.stream);
  const frames = [sub.synFrame, ...(st?.synAckFrames ?? []), reset?.frame];
  if (established || (sub.synAckFrame !== undefined && reset === undefined)) {
    ctx.add({
      severity: 'note',
      code: 'join.unknown_token',
      stream: sub.stream,
      title: `join ${subflowName(sub)} names token${token}, which no connection in the capture has`,
      frames,
      meaning: 'The listener accepted the join, so the connection exists: its MP_CAPABLE handshake is simply not in the capture (it began earlier, or on an interface not captured). HMACs of this join cannot be checked without its keys.',
      check: ['capture from before the connection opens, on every interface, to see the whole connection'],
    });
    return;
  }
  ctx.add({
    severity: reset !== undefined ? 'error' : 'warning',
    code: 'join.unknown_token',
    stream: sub.stream,
    title: `join ${subflowName(sub)} names token${token}, which no connection in the capture has${reset !== undefined ? ', and was reset' : ''}`,
    frames,
    meaning: reset !== undefined
      ? 'The listener does not know the token either: the connection it belonged to is gone, or the join reached another host than the one holding the connection (a load balancer or anycast address spreading subflows over servers).'
      : 'Either the connection began before the capture, or the join went to a host that does not hold the connection.',
    check: ['that all subflows of a connection reach the same server (load balancers must be MPTCP-aware, e.g. steer by token)', 'whether the connection was closed just before the join'],
  });
}

function badHmac(ctx: ConnContext, sub: MptcpSubflow, established: boolean): void {
  const frames: Array<number | undefined> = [];
  for (const v of ctx.conn.verifications) {
    if (v.stream === sub.stream && v.status === 'bad' && (v.kind === 'join_synack_hmac' || v.kind === 'join_ack_hmac')) frames.push(v.frame);
  }
  const which = sub.synAckHmac === 'bad' ? 'SYN/ACK' : 'third ACK';
  ctx.add({
    severity: 'error',
    code: 'join.hmac_bad',
    stream: sub.stream,
    title: `join ${subflowName(sub)}: the MP_JOIN HMAC in the ${which} does not match the connection's keys and nonces${established ? '' : '; the join failed'}`,
    frames: [sub.synFrame, ...frames],
    meaning: established
      ? 'The HMAC proves the joining host knows the connection\'s keys; it does not match here, yet the subflow was accepted: the stack did not check it, or the keys learned from the capture are not the ones in use (a key echo or capture problem).'
      : 'The HMAC proves the joining host knows the connection\'s keys; a mismatch makes the receiver reset the subflow. Options were altered on the way, two connections share a token, or a stack computes the HMAC wrongly.',
    check: ['compare the option bytes with a capture at the other end (altered on the way?)', 'the key echo of the connection\'s third ACK (should be good)', 'the stacks\' versions: v0 HMAC-SHA1 and v1 HMAC-SHA256 must match the negotiated version'],
  });
}
