/**
 * Statistics taps: what `mpscope read -z SPEC` runs beside (or, with -q,
 * instead of) the packet output, as tshark's `-z` does. A tap sees every
 * frame read, whatever `-Y` selects (tshark's taps do too), and prints its
 * report once the capture has been read.
 */
import type { FieldContext } from '../../fields/types.js';

/** A compiled display filter: true when the packet of `ctx` matches. */
export type TapFilter = (ctx: FieldContext) => boolean;

/** What the command gives a tap when it is made. */
export interface TapEnv {
  /**
   * Compiles a display filter in Wireshark's language, for a tap's own
   * filter (`conv,tcp,FILTER`, the columns of `io,stat`). Throws a
   * UsageError that shows the error under the text.
   */
  compileFilter(text: string): TapFilter;
  /**
   * Whether tshark would build each packet's protocol tree in this run (a
   * display filter, the detail tree, field output or a tap's own filter):
   * some of its expert items (four NOPs in a row) only appear then. Asked
   * once the first packet arrives, when every tap has been made.
   */
  protocolTree?: (() => boolean) | undefined;
}

export interface StatTap {
  /**
   * One frame, in capture order. `ctx.packet` is the decoded packet and
   * `ctx.analysis` its TCP (and, when `needs.mptcp`, MPTCP) annotations;
   * `ctx.firstTs` is the capture's first timestamp. The context, the packet
   * and its bytes are only valid during the call: copy what is kept.
   */
  packet(ctx: FieldContext): void;
  /** The report, every line ending in '\n', printed after the packets. */
  draw(): string;
  /** Analysis the tap reads beyond the TCP annotations (which are always there). */
  readonly needs?: TapNeeds | undefined;
}

export interface TapNeeds {
  /** MPTCP connection annotations (`ctx.analysis.mptcp`). */
  mptcp?: boolean | undefined;
  /** The TCP measurements from ACKs (RTTs, bytes in flight). */
  measurements?: boolean | undefined;
}

/**
 * A module that makes taps. `name` is the registered name the -z argument
 * starts with (`conv,tcp`), `args` what follows it after a comma (empty when
 * nothing does). Bad arguments throw a UsageError.
 */
export type TapMaker = (name: string, args: string, env: TapEnv) => StatTap;
