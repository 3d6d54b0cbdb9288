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

  /** A packet read but not shown (filtered out): it still moves the first and previous timestamps. */
  skip(packet: Packet): void {
    const ts = packetTime(packet);
    this.first ??= ts;
    this.prev = ts;
  }
}
