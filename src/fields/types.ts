/**
 * The field registry's vocabulary: what a field is, what values it yields and
 * what it reads them from.
 *
 * A field is a name (Wireshark's where Wireshark has the field), a type, a
 * description, the protocol layer it belongs to and an accessor. Everything
 * that talks in field names (display filters, `-T fields`, JSON output,
 * `mpscope fields`) is generated from these definitions, so adding a field is
 * adding one entry.
 */
import type { Packet } from '../wire/types.js';

/**
 * Value types, named after Wireshark's FT_ types so `mpscope fields` reads
 * like `tshark -G fields`:
 * - `protocol`: a protocol's presence (`tcp`, `mptcp`, the TCP option subtrees);
 *   its value is what tshark prints for it in `-T fields`: the one-line
 *   summary where tshark has one (`Transmission Control Protocol, Src Port:
 *   ...`), else the protocol's abbreviation (`icmp`), and for TCP option
 *   subtrees the option bytes (Uint8Array)
 * - `none`: presence only (value `true`), printed as `1` in `-T fields`
 * - `bool`: true/false, printed `1` / `0` as tshark 4.0 does
 * - `uint*`/`int32`/`framenum`: numbers; `uint64` is a bigint
 * - `double`: a plain number
 * - `abstime`/`reltime`: a {@link TimeValue}
 * - `ipv4`: the address as an unsigned 32-bit number; `ipv6`, `ether`, `bytes`: Uint8Array
 * - `string`: a string
 */
export type FieldType =
  | 'protocol'
  | 'none'
  | 'bool'
  | 'uint8'
  | 'uint16'
  | 'uint24'
  | 'uint32'
  | 'uint64'
  | 'int32'
  | 'framenum'
  | 'double'
  | 'abstime'
  | 'reltime'
  | 'ipv4'
  | 'ipv6'
  | 'ether'
  | 'string'
  | 'bytes';

/**
 * How integers are written. `hex` pads to the type's width (`0x0018` for a
 * uint16) as tshark does; `hex_dec` and `dec_hex` follow Wireshark's
 * BASE_HEX_DEC / BASE_DEC_HEX, whose `-T fields` form is the first base alone.
 */
export type FieldBase = 'dec' | 'hex' | 'hex_dec' | 'dec_hex';

/** A point or span of time, exact to the nanosecond: `sec` whole seconds (may be negative) plus `nsec` in 0..999_999_999. */
export interface TimeValue {
  readonly sec: number;
  readonly nsec: number;
}

export type FieldValue = number | bigint | boolean | string | Uint8Array | TimeValue;

/** What an accessor returns: nothing (field absent), one value, or several in packet order (tshark's multiple occurrences). */
export type FieldResult = FieldValue | readonly FieldValue[] | undefined;

/**
 * Per-packet annotations from stateful analysis (TCP conversations, MPTCP
 * connections). Empty here on purpose: analysis modules add their members by
 * declaration merging, so their fields stay typed without this module
 * knowing them:
 *
 * ```ts
 * declare module '../fields/types.js' {
 *   interface PacketAnnotations { tcp?: TcpAnnotation }
 * }
 * ```
 *
 * A field that needs analysis reads `ctx.analysis?.tcp` and yields nothing
 * when the caller did not run the analysis.
 */
export interface PacketAnnotations {}

/** What an accessor reads. */
export interface FieldContext {
  packet: Packet;
  /** Timestamp of the first packet of the capture (frame.time_relative); the packet's own when absent. */
  firstTs?: TimeValue | undefined;
  /** Timestamp of the previous captured packet (frame.time_delta); the packet's own when absent. */
  prevTs?: TimeValue | undefined;
  /** Timestamp of the previous packet shown (frame.time_delta_displayed); the packet's own when absent. */
  prevShownTs?: TimeValue | undefined;
  /** Stateful analysis results for this packet, when the caller ran the analysis. */
  analysis?: PacketAnnotations | undefined;
  /**
   * The capture file format, when the caller knows it: tshark shows
   * `frame.interface_id` for every pcapng frame and never for pcap. Unknown,
   * the interface fields appear when the frame names its interface.
   */
  captureFormat?: 'pcap' | 'pcapng' | undefined;
}

/** The public description of a field, as `mpscope fields` lists it. */
export interface FieldInfo {
  readonly name: string;
  readonly type: FieldType;
  readonly description: string;
  /** Protocol the field belongs to (tshark -G fields' protocol column): 'frame', 'eth', 'ip', 'tcp', 'mptcp'... */
  readonly layer: string;
  readonly base: FieldBase;
  /** The field whose subtree holds this one in JSON output (`tcp.flags` for `tcp.flags.syn`). */
  readonly parent: string | undefined;
}

/**
 * An expert item of tshark's tree, as its JSON shows one:
 * `"_ws.expert": { "<name>": "", "_ws.expert.message": ..., "_ws.expert.severity": ..., "_ws.expert.group": ... }`.
 */
export interface JsonExpert {
  severity: 'comment' | 'chat' | 'note' | 'warning' | 'error';
  group: 'sequence' | 'protocol' | 'checksum' | 'malformed' | 'comment';
  /** The text, or how to make it from the packet and the occurrence it is about. */
  message: string | ((ctx: FieldContext, value: FieldValue) => string);
  /**
   * 'self' (default): the field appears only as this expert item; 'subtree':
   * the field keeps its value and the expert item, named `name`, sits in the
   * field's `_tree` (tshark's note about a duplicate ACK under the frame it duplicates).
   */
  placement?: 'self' | 'subtree';
  /** The expert item's field name when it is not the field's own. */
  name?: string;
}

/** Where tshark's JSON shapes a field otherwise than as a plain key of its parent. */
export interface JsonShape {
  /** The field sits in a text-only node of tshark's tree, which JSON keys by its label ("Timestamps"). */
  group?: string;
  expert?: JsonExpert;
  /** Only the first occurrence is a plain key (tshark's other ones are expert items, placed by an `expert` elsewhere). */
  once?: boolean;
}

/** A registered field: its description plus the accessor. */
export interface FieldDef extends FieldInfo {
  /** JSON output only: how tshark's tree shapes the field, when not as a plain key. */
  readonly json?: JsonShape | undefined;
  /** All occurrences of the field in the packet (a quoted packet's included); undefined or an empty array when absent. */
  get(ctx: FieldContext): FieldResult;
  /** The occurrences in the packet's own headers, without those of a packet quoted in an ICMP error. */
  own(ctx: FieldContext): FieldResult;
  /** The field also reads the packet quoted in an ICMP error (IP, TCP and UDP header fields, as in tshark). */
  readonly alsoQuoted: boolean;
  /** Set when the field is read per item of a repeated structure (TCP options, VLAN tags...). */
  readonly scope: Scope<unknown> | undefined;
  /** For scoped fields: the field's value(s) in one item. */
  getItem?(item: unknown, ctx: FieldContext): FieldResult;
  /** Scoped fields that head an item's subtree in JSON (`tcp.options.mss`, `mptcp`, `vlan`). */
  readonly node: boolean;
}

/**
 * A repeated structure inside a packet whose fields are read item by item:
 * TCP options, VLAN tags, the two Ethernet addresses. A field defined in a
 * scope is multi-valued in item order, and JSON output groups each item's
 * fields under the item's own node, like tshark's option subtrees.
 */
export interface Scope<T> {
  readonly name: string;
  /** The field whose subtree holds the item nodes in JSON; null for the top level (one JSON layer per item). */
  readonly within: string | null;
  items(ctx: FieldContext): readonly T[] | undefined;
  /** Name of the node field heading this item's subtree. */
  node(item: T): string;
}
