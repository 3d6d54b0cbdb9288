/**
 * Follows one connection's MPTCP life from userspace by polling
 * MPTCP_INFO and the subflow list: whether it speaks MPTCP, falls back,
 * which subflows come and go. Polling is all the socket API offers (the
 * netlink event group would need CAP_NET_ADMIN); a subflow that lives
 * shorter than the interval can be missed.
 */
import type net from 'node:net';
import { SysError } from './errors.js';
import type { MptcpInfo, Subflow, TcpInfo } from './mptcp-info.js';
import { mptcpState, subflows } from './mptcp-socket.js';
import type { MptcpState } from './mptcp-socket.js';
import type { SockAddr } from './sockaddr.js';

const TCP_ESTABLISHED = 1;
const TCP_CLOSE = 7;

export interface SubflowRecord {
  /** Subflow id when the kernel gives it (MPTCP_FULL_INFO), else the order of first sight from 1. */
  id: number;
  local: SockAddr | undefined;
  remote: SockAddr | undefined;
  /** ms since the monitor started. */
  firstSeen: number;
  lastSeen: number;
  /** Gone while the connection went on over other subflows. */
  closed: boolean;
  /** Last tcp_info seen (MPTCP_FULL_INFO only). */
  tcp?: TcpInfo;
}

export type MonitorEvent =
  | { type: 'mptcp'; info: MptcpInfo }
  | { type: 'fallback'; afterMptcp: boolean }
  | { type: 'subflow-up'; subflow: SubflowRecord }
  | { type: 'subflow-down'; subflow: SubflowRecord };

export interface ConnectionReport {
  /** The last state read while the socket was open. */
  state: MptcpState['kind'];
  /** MPTCP was seen at least once. */
  everMptcp: boolean;
  /** MPTCP_INFO as last read. */
  info: MptcpInfo | undefined;
  subflows: SubflowRecord[];
}

export interface MonitorOptions {
  /** Poll interval in ms; default 50. 0 polls only when asked. */
  interval?: number;
  onEvent?: (e: MonitorEvent) => void;
}

export class MptcpMonitor {
  private readonly start = Date.now();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly records = new Map<string, SubflowRecord>();
  private state: MptcpState['kind'] | undefined;
  private everMptcp = false;
  private info: MptcpInfo | undefined;
  private nextId = 1;

  constructor(private readonly socket: net.Socket, private readonly opts: MonitorOptions = {}) {
    this.poll();
    const interval = opts.interval ?? 50;
    if (interval > 0) {
      this.timer = setInterval(() => this.poll(), interval);
      this.timer.unref();
    }
  }

  /** Reads the kernel's view now; does nothing once the socket is closed. */
  poll(): void {
    if (this.socket.destroyed) return;
    let st: MptcpState;
    let list: Subflow[] | undefined;
    try {
      st = mptcpState(this.socket);
      list = st.kind === 'mptcp' ? subflows(this.socket) : undefined;
    } catch (e) {
      if (e instanceof SysError && e.errno === 'EBADF') return;
      throw e;
    }
    const was = this.state;
    this.state = st.kind;
    if (st.kind === 'mptcp') {
      this.info = st.info;
      if (!this.everMptcp) this.emit({ type: 'mptcp', info: st.info });
      this.everMptcp = true;
    } else if (st.kind === 'fallback' && was !== 'fallback') {
      this.emit({ type: 'fallback', afterMptcp: this.everMptcp });
    }
    if (list) this.update(list);
  }

  private update(all: Subflow[]): void {
    const now = Date.now() - this.start;
    const seen = new Set<string>();
    // While the connection closes, the kernel lists subflows already shut
    // (TCP_CLOSE) or disconnected (addresses zeroed): they are not subflows any more.
    const list = all.filter((sf) => sf.tcp?.state !== TCP_CLOSE && sf.remote !== undefined && sf.remote.port !== 0);
    // A subflow missing while no other one is established is the connection
    // closing, not that subflow closing early.
    const goingOn = list.some((sf) => (sf.tcp ? sf.tcp.state === TCP_ESTABLISHED : true));
    for (const sf of list) {
      const key = sf.id !== undefined ? `#${sf.id}` : `${addrKey(sf.local)}|${addrKey(sf.remote)}`;
      seen.add(key);
      const rec = this.records.get(key);
      if (rec) {
        rec.lastSeen = now;
        if (sf.tcp) rec.tcp = sf.tcp;
        continue;
      }
      const fresh: SubflowRecord = { id: sf.id ?? this.nextId, local: sf.local, remote: sf.remote, firstSeen: now, lastSeen: now, closed: false };
      this.nextId = Math.max(this.nextId, fresh.id) + 1;
      if (sf.tcp) fresh.tcp = sf.tcp;
      this.records.set(key, fresh);
      this.emit({ type: 'subflow-up', subflow: fresh });
    }
    for (const [key, rec] of this.records) {
      if (rec.closed || seen.has(key) || !goingOn) continue;
      rec.closed = true;
      this.emit({ type: 'subflow-down', subflow: rec });
    }
  }

  private emit(e: MonitorEvent): void {
    this.opts.onEvent?.(e);
  }

  report(): ConnectionReport {
    return { state: this.state ?? 'unknown', everMptcp: this.everMptcp, info: this.info, subflows: [...this.records.values()] };
  }

  /** A last poll (if the socket is still open), then no more. */
  stop(): ConnectionReport {
    this.poll();
    if (this.timer) clearInterval(this.timer);
    return this.report();
  }
}

function addrKey(a: SockAddr | undefined): string {
  return a ? `${a.address}/${a.port}` : '-';
}
