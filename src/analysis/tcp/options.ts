/**
 * What the TCP analysis reads from a segment's options, in one pass: the
 * window scale it announces, the bytes its SACK blocks cover, its MPTCP
 * signals, and whether tshark's dissection would stop inside the options
 * (which hides that segment's analysis in tshark).
 */
import { u32 } from '../../wire/bytes.js';
import { decodeMptcpOption, mptcpOptionMalformed, mptcpOptionOverrun } from '../../wire/mptcp.js';
import { nextSoundOption, OPTION_KIND_MPTCP, TcpOptionWalk } from '../../wire/tcp-options.js';
import type { MptcpOption, TcpOptMptcp, TcpRepr } from '../../wire/types.js';

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

const TCP_FIXED_HEADER = 20;
/** optionKinds bits of the kinds the scan reads: window scale, SACK, MPTCP. */
const READ_KINDS = (1 << 3) | (1 << 5) | OPTION_KIND_MPTCP;

const KIND_BY_SUBTYPE = [MpKind.CAPABLE, MpKind.JOIN, MpKind.DSS, MpKind.ADD_ADDR, MpKind.REMOVE_ADDR, MpKind.PRIO, MpKind.FAIL, MpKind.FASTCLOSE];

/**
 * True when the MPTCP option is shorter than its own subtype and flags say
 * (a DSS whose flags announce more fields than its length holds): tshark
 * reads past the option's end there and abandons the rest of the segment.
 * `data` holds the option at `o.offset` (the packet's bytes).
 */
export function mptcpOptionOverruns(o: TcpOptMptcp, data: Uint8Array): boolean {
  return mptcpOptionOverrun(data, o.offset, o.length);
}

/**
 * Per-segment summary of the options, refilled for every segment. It reads
 * the option bytes in place (the segment's own option objects are never
 * built for it).
 */
export class OptionScan {
  /** Window scale shift announced (capped at 14), or -1. */
  wscale = -1;
  /** Bytes covered by the first three SACK blocks. */
  sacked = 0;
  /** MpKind bits of the MPTCP options (tshark's subtypes 0..7) and our extra signals. */
  mpKinds = 0;
  /** DSS data ACK present, as two u32 halves (hi is 0 for a 4-byte ACK). */
  hasDataAck = false;
  /** The halves, in an array: as object fields, values above 2^30 would be boxed at every segment. */
  private readonly dataAck = new Float64Array(2);
  /** Index of the option where tshark stops dissecting, or -1. */
  stopAt = -1;
  /** Offsets of the last MP_CAPABLE and MP_JOIN options (-1: none), for tshark's token bookkeeping. */
  private capableAt = -1;
  private joinAt = -1;
  private data: Uint8Array = new Uint8Array(0);
  private readonly walk = new TcpOptionWalk();

  /** Reads the options of `tcp`, a header decoded from `data`. */
  scan(data: Uint8Array, tcp: TcpRepr): this {
    this.wscale = -1;
    this.sacked = 0;
    this.mpKinds = 0;
    this.hasDataAck = false;
    this.stopAt = -1;
    this.capableAt = -1;
    this.joinAt = -1;
    this.data = data;
    const kinds = tcp.optionKinds ?? -1;
    if (kinds >= 0) {
      if ((kinds & READ_KINDS) !== 0) this.scanSound(data, tcp.offset + TCP_FIXED_HEADER, tcp.offset + tcp.length);
      return this;
    }
    let blocks = 0;
    const w = this.walk.over(data, tcp);
    for (let i = 0; w.next(); i++) {
      switch (w.kind) {
        case 3:
          if (w.sound) this.wscale = Math.min(w.shift, MAX_SHIFT);
          break;
        case 5:
          // A SACK option with a stray tail (or cut short) still counts its whole blocks, as in tshark.
          for (let b = 0, n = w.sackBlocks; b < n && blocks < SACK_BLOCKS_COUNTED; b++, blocks++) {
            this.sacked += (w.sackRight(b) - w.sackLeft(b)) >>> 0;
          }
          break;
        case 30:
          if (!w.sound) break;
          if (w.mptcpOverrun) {
            this.stopAt = i;
            return this;
          }
          this.mptcp(w.data, w.at, false);
          break;
        default:
          break;
      }
    }
    return this;
  }

  /**
   * `scan` over options the decoder found all sound (TcpRepr.optionKinds):
   * none can stop tshark, and each is whole, so a plain loop over the bytes
   * does (the common case, without the walk's checks).
   */
  private scanSound(data: Uint8Array, at: number, end: number): void {
    let blocks = 0;
    for (at = nextSoundOption(data, at, end); at < end; at = nextSoundOption(data, at + data[at + 1]!, end)) {
      const kind = data[at]!;
      const len = data[at + 1]!;
      if (kind === 30) this.mptcp(data, at, true);
      else if (kind === 3) this.wscale = Math.min(data[at + 2]!, MAX_SHIFT);
      else if (kind === 5) {
        for (let b = at + 2; b < at + len && blocks < SACK_BLOCKS_COUNTED; b += 8, blocks++) this.sacked += (u32(data, b + 4) - u32(data, b)) >>> 0;
      }
    }
  }

  /** An MPTCP option at `at`; `sound`: its length is known to fit its subtype. */
  private mptcp(data: Uint8Array, at: number, sound: boolean): void {
    const kind = KIND_BY_SUBTYPE[data[at + 2]! >> 4];
    this.mpKinds |= kind ?? MpKind.OTHER_SIGNAL;
    // An option whose length fits no form of its subtype is not that subtype.
    if (kind === undefined || (!sound && mptcpOptionMalformed(data, at, data[at + 1]!))) {
      this.mpKinds |= MpKind.OTHER_SIGNAL;
      return;
    }
    if (kind === MpKind.CAPABLE) this.capableAt = at;
    else if (kind === MpKind.JOIN) this.joinAt = at;
    else if (kind === MpKind.DSS) {
      const flags = data[at + 3]!;
      if (flags & 0x10) this.mpKinds |= MpKind.OTHER_SIGNAL;
      if (flags & 0x01) {
        this.hasDataAck = true;
        const wide = (flags & 0x02) !== 0;
        this.dataAck[0] = wide ? u32(data, at + 4) : 0;
        this.dataAck[1] = u32(data, wide ? at + 8 : at + 4);
      }
    }
  }

  get dataAckHi(): number {
    return this.dataAck[0]!;
  }

  get dataAckLo(): number {
    return this.dataAck[1]!;
  }

  /** The last MP_CAPABLE option of the segment, decoded. */
  get capable(): MptcpOption | undefined {
    return this.capableAt < 0 ? undefined : decodeMptcpOption(this.data, this.capableAt, this.data[this.capableAt + 1]!);
  }

  /** The last MP_JOIN option of the segment, decoded. */
  get join(): MptcpOption | undefined {
    return this.joinAt < 0 ? undefined : decodeMptcpOption(this.data, this.joinAt, this.data[this.joinAt + 1]!);
  }
}
