/**
 * What the TCP analysis reads from a segment's options, in one pass: the
 * window scale it announces, the bytes its SACK blocks cover, its MPTCP
 * signals, and whether tshark's dissection would stop inside the options
 * (which hides that segment's analysis in tshark).
 */
import type { TcpOption, TcpOptMptcp } from '../../wire/types.js';

/** tshark keeps at most this many SACK blocks of a segment for bytes in flight. */
const SACK_BLOCKS_COUNTED = 3;
const MAX_SHIFT = 14;

/** MPTCP option kinds as tshark records them per connection (its `mp_operations` bits). */
export const MpKind = {
  CAPABLE: 0x01,
  JOIN: 0x02,
  DSS: 0x04,
  ADD_ADDR: 0x08,
  REMOVE_ADDR: 0x10,
  PRIO: 0x20,
  FAIL: 0x40,
  FASTCLOSE: 0x80,
  /** Not a tshark bit: MP_TCPRST, unknown subtypes and DATA_FIN. */
  OTHER_SIGNAL: 0x100,
} as const;

const KIND_BY_SUBTYPE = [MpKind.CAPABLE, MpKind.JOIN, MpKind.DSS, MpKind.ADD_ADDR, MpKind.REMOVE_ADDR, MpKind.PRIO, MpKind.FAIL, MpKind.FASTCLOSE];

/**
 * True when the MPTCP option is shorter than its own subtype and flags say
 * (a DSS whose flags announce more fields than its length holds): tshark
 * reads past the option's end there and abandons the rest of the segment.
 * `data` holds the option at `o.offset` (the packet's bytes).
 */
export function mptcpOptionOverruns(o: TcpOptMptcp, data: Uint8Array): boolean {
  if (o.length < 3) return true;
  if (o.mptcp.subtype !== 2 || o.mptcp.name === 'DSS') return false;
  if (o.length < 4) return true;
  const f = data[o.offset + 3] ?? 0;
  let need = 4;
  if (f & 0x01) need += f & 0x02 ? 8 : 4;
  if (f & 0x04) need += (f & 0x08 ? 8 : 4) + 6;
  return o.length < need;
}

/** Per-segment summary of the options, refilled for every segment. */
export class OptionScan {
  /** Window scale shift announced (capped at 14), or -1. */
  wscale = -1;
  /** Bytes covered by the first three SACK blocks. */
  sacked = 0;
  /** MpKind bits of the MPTCP options (tshark's subtypes 0..7) and our extra signals. */
  mpKinds = 0;
  /** DSS data ACK present, as two u32 halves (hi is 0 for a 4-byte ACK). */
  hasDataAck = false;
  dataAckHi = 0;
  dataAckLo = 0;
  /** Index of the option where tshark stops dissecting, or -1. */
  stopAt = -1;
  /** MP_CAPABLE keys (for tshark's token bookkeeping): sender key, and the receiver key of the third ACK. */
  capable: TcpOptMptcp | undefined;
  join: TcpOptMptcp | undefined;

  /** Reads `options` of a segment whose bytes are `data`. */
  scan(options: readonly TcpOption[], data: Uint8Array): this {
    this.wscale = -1;
    this.sacked = 0;
    this.mpKinds = 0;
    this.hasDataAck = false;
    this.stopAt = -1;
    this.capable = undefined;
    this.join = undefined;
    let blocks = 0;
    for (let i = 0; i < options.length; i++) {
      const o = options[i]!;
      switch (o.type) {
        case 'wscale':
          this.wscale = o.shift > MAX_SHIFT ? MAX_SHIFT : o.shift;
          break;
        case 'sack':
          for (let b = 0; b < o.blocks.length && blocks < SACK_BLOCKS_COUNTED; b++, blocks++) {
            const [left, right] = o.blocks[b]!;
            this.sacked += (right - left) >>> 0;
          }
          break;
        case 'unknown':
          // A SACK option with a stray tail: tshark still counts its whole blocks.
          if (o.kind === 5 && o.malformed !== undefined) blocks = this.sackFromRaw(data, o.offset, o.length, blocks);
          break;
        case 'mptcp':
          if (mptcpOptionOverruns(o, data)) {
            this.stopAt = i;
            return this;
          }
          this.mptcp(o, data);
          break;
        default:
          break;
      }
    }
    return this;
  }

  private sackFromRaw(data: Uint8Array, at: number, length: number, blocks: number): number {
    const end = Math.min(data.length, at + length);
    for (let b = at + 2; b + 8 <= end && blocks < SACK_BLOCKS_COUNTED; b += 8, blocks++) {
      this.sacked += (u32(data, b + 4) - u32(data, b)) >>> 0;
    }
    return blocks;
  }

  private mptcp(o: TcpOptMptcp, data: Uint8Array): void {
    const m = o.mptcp;
    const kind = KIND_BY_SUBTYPE[m.subtype];
    this.mpKinds |= kind ?? MpKind.OTHER_SIGNAL;
    if (m.name === 'MP_CAPABLE') this.capable = o;
    else if (m.name === 'MP_JOIN') this.join = o;
    else if (m.name === 'DSS') {
      const at = o.offset;
      const flags = data[at + 3]!;
      if (flags & 0x10) this.mpKinds |= MpKind.OTHER_SIGNAL;
      if (flags & 0x01) {
        this.hasDataAck = true;
        if (flags & 0x02) {
          this.dataAckHi = u32(data, at + 4);
          this.dataAckLo = u32(data, at + 8);
        } else {
          this.dataAckHi = 0;
          this.dataAckLo = u32(data, at + 4);
        }
      }
    } else if (kind === undefined || m.name === 'UNKNOWN') this.mpKinds |= MpKind.OTHER_SIGNAL;
  }
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
