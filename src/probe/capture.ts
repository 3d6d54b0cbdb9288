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
  // Times are kept as whole seconds and nanoseconds: float sums drift at epoch magnitudes.
  const stepNs = Math.round((options.step ?? 0.001) * 1e9);
  let [sec, ns] = secNs(options.start ?? 1_700_000_000);
  ns -= stepNs;
  return packets.map((p, i) => {
    const c = p instanceof Uint8Array ? { data: p } : p;
    if (c.time !== undefined) [sec, ns] = secNs(c.time);
    else ns += stepNs;
    sec += Math.floor(ns / 1e9);
    ns = ((ns % 1e9) + 1e9) % 1e9;
    return frameAt(c.data, c.linkType ?? options.linkType ?? LinkType.RAW, sec, ns, i + 1);
  });
}

function secNs(time: number): [number, number] {
  const sec = Math.floor(time);
  return [sec, Math.min(999_999_999, Math.round((time - sec) * 1e9))];
}

function frameAt(data: Uint8Array, linkType: number, tsSec: number, tsNsec: number, number: number): Frame {
  return { number, linkType, tsSec, tsNsec, tsDigits: 9, origLen: data.length, data, ifIndex: 0 };
}

/** One frame around packet bytes, at `time` seconds since the epoch. */
export function frameOf(data: Uint8Array, linkType: number = LinkType.RAW, time = 0, number = 1): Frame {
  const [sec, ns] = secNs(time);
  return frameAt(data, linkType, sec, ns, number);
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
