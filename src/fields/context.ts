/** Building the per-packet {@link FieldContext} that accessors read. */
import type { Packet } from '../wire/types.js';
import type { FieldContext, PacketAnnotations, TimeValue } from './types.js';

export function packetTime(p: Packet): TimeValue {
  return { sec: p.tsSec, nsec: p.tsNsec };
}

/**
 * Hands out contexts for the packets of one capture in order, remembering the
 * first and previous timestamps that `frame.time_relative` and
 * `frame.time_delta` are measured from.
 */
export class ContextBuilder {
  private first: TimeValue | undefined;
  private prev: TimeValue | undefined;
  private prevShown: TimeValue | undefined;

  constructor(private readonly captureFormat?: 'pcap' | 'pcapng') {}

  /** The context of the next packet, which the caller shows. */
  next(packet: Packet, analysis?: PacketAnnotations): FieldContext {
    const ts = packetTime(packet);
    this.first ??= ts;
    const ctx: FieldContext = {
      packet,
      firstTs: this.first,
      prevTs: this.prev ?? ts,
      prevShownTs: this.prevShown ?? ts,
      analysis,
      captureFormat: this.captureFormat,
    };
    this.prev = ts;
    this.prevShown = ts;
    return ctx;
  }

  /**
   * The context of the next packet before it is known whether it will be
   * shown (a display filter decides on it); follow with `advance`.
   */
  peek(packet: Packet, analysis?: PacketAnnotations): FieldContext {
    const ts = packetTime(packet);
    const first = this.first ?? ts;
    return { packet, firstTs: first, prevTs: this.prev ?? ts, prevShownTs: this.prevShown ?? ts, analysis, captureFormat: this.captureFormat };
  }

  /**
   * `peek` into one context object refilled for every packet: valid until
   * the next call, for a caller that only tests it (a display filter), which
   * then saves two allocations per packet.
   */
  peekTransient(packet: Packet, analysis?: PacketAnnotations): FieldContext {
    const ts = this.peekedTs;
    ts.sec = packet.tsSec;
    ts.nsec = packet.tsNsec;
    const ctx = this.peeked;
    ctx.packet = packet;
    ctx.firstTs = this.first ?? ts;
    ctx.prevTs = this.prev ?? ts;
    ctx.prevShownTs = this.prevShown ?? ts;
    ctx.analysis = analysis;
    ctx.captureFormat = this.captureFormat;
    return ctx;
  }

  private readonly peekedTs: { sec: number; nsec: number } = { sec: 0, nsec: 0 };
  private readonly peeked: FieldContext = {
    packet: undefined as unknown as Packet, firstTs: undefined, prevTs: undefined, prevShownTs: undefined, analysis: undefined, captureFormat: undefined,
  };

  /** Moves past a peeked packet: shown or filtered out. */
  advance(packet: Packet, shown: boolean): void {
    if (shown) this.next(packet);
    else this.skip(packet);
  }

  /** A packet read but not shown (filtered out): it still moves the first and previous timestamps. */
  skip(packet: Packet): void {
    const ts = packetTime(packet);
    this.first ??= ts;
    this.prev = ts;
  }
}
