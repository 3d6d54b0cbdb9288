/** The short section for plain TCP conversations (`--tcp`): unanswered or refused handshakes, resets, losses, zero windows. */
import type { TcpConversationSummary } from '../../tcp/tracker.js';
import type { CaptureAnalysis } from '../run.js';
import { endpointOf } from '../summary.js';
import { canonical, endpoint, frameList, plural } from './context.js';
import type { DoctorFinding, DoctorTcpConversation } from './types.js';

/** Share of data segments retransmitted from which a direction is lossy, and the fewest retransmissions that count. */
const LOSSY_SHARE = 0.02;
const LOSSY_MIN = 3;

export function tcpRules(a: CaptureAnalysis, c: TcpConversationSummary): DoctorTcpConversation {
  const st = a.extras.streams[c.stream];
  const ea = endpointOf(c.addrA, c.portA);
  const eb = endpointOf(c.addrB, c.portB);
  const findings: DoctorFinding[] = [];
  const add = (f: Omit<DoctorFinding, 'stream' | 'frames'> & { frames: Array<number | undefined> }): void => {
    findings.push(canonical({ ...f, stream: c.stream, frames: frameList(f.frames) }));
  };
  const names = [`${endpoint(ea)} → ${endpoint(eb)}`, `${endpoint(eb)} → ${endpoint(ea)}`];
  if (st !== undefined) {
    if (c.synA && !c.synB && c.packetsBtoA === 0) {
      add({
        severity: 'warning',
        code: 'tcp.no_answer',
        title: `${names[0]}: ${plural(st.synFrames.length, 'SYN')} got no answer`,
        frames: st.synFrames,
        meaning: 'The server is down or unreachable, a firewall drops the SYN silently, or the capture ended first.',
        check: ['reachability of the address and port', 'firewalls on the way'],
      });
    } else if (c.synA && !c.synB && st.rstFrames.length > 0) {
      add({
        severity: 'warning',
        code: 'tcp.refused',
        title: `${names[0]}: refused with a RST`,
        frames: [...st.synFrames, st.rstFrames[0]],
        meaning: 'Nothing listens on that port, or a firewall rejects the connection.',
        check: ['the server application (ss -ltnp)', 'firewall rules that reject with a RST'],
      });
    } else if (st.rstFrames.length > 0) {
      add({
        severity: 'note',
        code: 'tcp.reset',
        title: `the conversation ended with a RST`,
        frames: st.rstFrames,
        meaning: 'An abortive close: an application abort, a timeout, or a middlebox cutting the connection.',
        check: ['the application logs at the resetting end'],
      });
    }
    st.flows.forEach((flow, i) => {
      if (flow.retransmissions >= LOSSY_MIN && flow.retransmissions / Math.max(1, flow.dataPackets) >= LOSSY_SHARE) {
        add({
          severity: 'warning',
          code: 'tcp.retransmissions',
          title: `${names[i]}: ${plural(flow.retransmissions, 'data segment')} of ${flow.dataPackets} retransmitted (${((flow.retransmissions / flow.dataPackets) * 100).toFixed(1)}%)`,
          frames: flow.retransmissionFrames,
          meaning: 'Segments were lost (or delayed enough to be resent): congestion, a lossy link, or a policer on the path.',
          check: ['loss on the path (mtr, interface error counters)', 'queueing and policing on the bottleneck'],
          facts: { retransmissions: flow.retransmissions, dataPackets: flow.dataPackets },
        });
      }
      if (flow.zeroWindows > 0) {
        add({
          severity: 'note',
          code: 'tcp.zero_window',
          title: `${names[i]}: ${plural(flow.zeroWindows, 'zero-window advertisement')}`,
          frames: [],
          meaning: 'The receiver\'s buffer was full: its application did not read fast enough, so the sender had to wait.',
          check: ['the receiving application\'s speed', 'receive buffer sizes (net.ipv4.tcp_rmem)'],
        });
      }
    });
  }
  return { stream: c.stream, a: ea, b: eb, state: c.state, findings };
}
