/**
 * Crafted packets as capture frames: for `decodePacket`, and for pcap or
 * pcapng files (the capture module's writers) that tshark and tcpdump read.
 */
import { LinkType } from '../capture/linktypes.js';
import { encodePcap } from '../capture/pcap-writer.js';
import { encodePcapng } from '../capture/pcapng-writer.js';
import type { Frame } from '../capture/types.js';
import { decodePacket } from '../wire/packet.js';
import type { Packet } from '../wire/types.js';

/** A crafted packet with what a capture records about it. */
export interface CraftedPacket {
  data: Uint8Array;
  /** Seconds since the epoch (fractions kept to the nanosecond); default: the previous packet's time + `step`. */
  time?: number;
  /** Default: the frames' link type (raw IP unless told otherwise). */
  linkType?: number;
}

export interface CraftedFramesOptions {
  /** LINKTYPE_ value of packets that do not say; default RAW (101): packets that start at the IP header. */
  linkType?: number;
  /** Time of the first packet in seconds since the epoch; default 1700000000. */
  start?: number;
  /** Seconds between packets without their own time; default 0.001. */
  step?: number;
}

/** Frames (numbered from 1) for crafted packets. */
export function craftedFrames(packets: ReadonlyArray<Uint8Array | CraftedPacket>, options: CraftedFramesOptions = {}): Frame[] {
  const step = options.step ?? 0.001;
  let time = (options.start ?? 1_700_000_000) - step;
  return packets.map((p, i) => {
    const c = p instanceof Uint8Array ? { data: p } : p;
    time = c.time ?? time + step;
    return frameOf(c.data, c.linkType ?? options.linkType ?? LinkType.RAW, time, i + 1);
  });
}

/** One frame around packet bytes, at `time` seconds. */
export function frameOf(data: Uint8Array, linkType: number = LinkType.RAW, time = 0, number = 1): Frame {
  // Whole nanoseconds from the float, without the rounding of time * 1e9 on large epochs.
  const tsSec = Math.floor(time);
  const tsNsec = Math.min(999_999_999, Math.round((time - tsSec) * 1e9));
  return { number, linkType, tsSec, tsNsec, tsDigits: 9, origLen: data.length, data, ifIndex: 0 };
}

/** Decodes crafted bytes as a captured packet (raw IP unless `linkType` says otherwise). */
export function decodeCrafted(data: Uint8Array, linkType: number = LinkType.RAW): Packet {
  return decodePacket(frameOf(data, linkType));
}

export interface CraftedCaptureOptions extends CraftedFramesOptions {
  /** Default 'pcap' (one link type for all packets); pcapng mixes link types. */
  format?: 'pcap' | 'pcapng';
}

/** A whole capture file of crafted packets, in memory (nanosecond timestamps). */
export function craftedCapture(packets: ReadonlyArray<Uint8Array | CraftedPacket>, options: CraftedCaptureOptions = {}): Uint8Array {
  const frames = craftedFrames(packets, options);
  return options.format === 'pcapng'
    ? encodePcapng(frames)
    : encodePcap(frames, { nano: true, linkType: frames[0]?.linkType ?? options.linkType ?? LinkType.RAW });
}
