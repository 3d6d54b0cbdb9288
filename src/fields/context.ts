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
    const ctx = this.fill(blankContext(packet), ts, packet, analysis);
    this.moveOn(ts, true);
    return ctx;
  }

  /**
   * The context of the next packet before it is known whether it will be
   * shown (a display filter decides on it); follow with `advance`.
   */
  peek(packet: Packet, analysis?: PacketAnnotations): FieldContext {
    return this.fill(blankContext(packet), packetTime(packet), packet, analysis);
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
    return this.fill(this.peeked, ts, packet, analysis);
  }

  private readonly peekedTs: { sec: number; nsec: number } = { sec: 0, nsec: 0 };
  private readonly peeked: FieldContext = blankContext(undefined as unknown as Packet);

  /** Moves past a peeked packet: shown or filtered out. */
  advance(packet: Packet, shown: boolean): void {
    this.moveOn(packetTime(packet), shown);
  }

  /** A packet read but not shown (filtered out): it still moves the first and previous timestamps. */
  skip(packet: Packet): void {
    this.moveOn(packetTime(packet), false);
  }

  /** `ctx` as the context of `packet` (time `ts`), measured from the packets before it. */
  private fill(ctx: FieldContext, ts: TimeValue, packet: Packet, analysis: PacketAnnotations | undefined): FieldContext {
    ctx.packet = packet;
    ctx.firstTs = this.first ?? ts;
    ctx.prevTs = this.prev ?? ts;
    ctx.prevShownTs = this.prevShown ?? ts;
    ctx.analysis = analysis;
    ctx.captureFormat = this.captureFormat;
    return ctx;
  }

  /** Past a packet of time `ts`: the times later packets are measured from. */
  private moveOn(ts: TimeValue, shown: boolean): void {
    this.first ??= ts;
    this.prev = ts;
    if (shown) this.prevShown = ts;
  }
}

/** A context with every member in place, so that all contexts share one shape. */
function blankContext(packet: Packet): FieldContext {
  return { packet, firstTs: undefined, prevTs: undefined, prevShownTs: undefined, analysis: undefined, captureFormat: undefined };
}
