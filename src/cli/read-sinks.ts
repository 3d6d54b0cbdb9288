import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { CaptureFormat, Frame } from '../capture/index.js';
import type { PacketAnnotations } from '../analysis/index.js';
import type { Packet } from '../wire/types.js';
import type { DetailAnalysisPrefs } from '../present/detail.js';
import type { TimeFormat } from '../present/list.js';
import type { TsStyle } from '../present/tcpdump.js';
import type { ArgReader } from './args.js';
import type { Output } from './output.js';

/** Bytes of list lines gathered before they are handed to the output, which writes a block this large without copying it. */
const LINE_BLOCK = 1 << 20;
/** Bytes of the first block: a few dozen lines. */
const FIRST_LINE_BLOCK = 1 << 12;

export const FORMATS = ['text', 'tcpdump', 'json', 'ndjson', 'fields'] as const;
export type Format = (typeof FORMATS)[number];

/** What a display mode does with each packet that passed the selection. */
export interface Sink {
  packet(pkt: Packet, frame: Frame, analysis: PacketAnnotations | undefined): void;
  /** A packet read but not selected (formatters that keep state still see it). */
  skipped?(pkt: Packet, analysis: PacketAnnotations | undefined): void;
  end(): Promise<void> | void;
  /** Hands what the sink gathered to the output now (live input: lines must not wait for a full block). */
  flush?(): void;
}

/** Builds a display sink once the capture's format is known (the reader learns it from the first bytes). */
export type DisplaySinkMaker = (captureFormat: CaptureFormat, snapLen: number) => Sink;

/**
 * Loads the formatter modules the chosen output needs, and only those (a
 * packet list loads neither the detail tree, the JSON writer nor the
 * tcpdump printer), then returns the sink maker.
 */
export async function displaySink(
  format: Format, args: ArgReader, out: Output, detailPrefs: DetailAnalysisPrefs = {}, analysed = false,
): Promise<DisplaySinkMaker> {
  const detail = args.count('V') > 0;
  const hex = args.count('x') > 0;
  switch (format) {
    case 'tcpdump': {
      const { TcpdumpFormatter } = await import('../present/tcpdump.js');
      const { formatTcpdumpHex } = await import('../present/tcpdump-hex.js');
      const { localInterfaceName } = await import('./interfaces.js');
      const ascii = args.count('X') > 0;
      const dumpLevel = Math.min(2, Math.max(args.count('x'), args.count('X'))) as 0 | 1 | 2;
      return (_fmt, snapLen) => {
        const f = new TcpdumpFormatter({
          tsStyle: (args.last('tcpdump-time') ?? 'default') as TsStyle,
          nano: args.count('nano') > 0,
          verbose: Math.min(3, args.count('v')) as 0 | 1 | 2 | 3,
          quiet: args.count('q') > 0,
          absoluteSeq: args.count('S') > 0,
          number: args.count('#') > 0,
          ifIndexName: localInterfaceName,
        });
        return {
          packet(pkt) {
            // libpcap hands tcpdump at most the snapshot length, even when a record claims more.
            const p = pkt.data.length > snapLen ? { ...pkt, data: pkt.data.subarray(0, snapLen) } : pkt;
            out.bytes(f.formatBytes(p));
            if (dumpLevel !== 0) out.line(formatTcpdumpHex(p, dumpLevel, ascii, snapLen));
          },
          skipped(pkt) { f.skip(pkt); },
          end() {},
        };
      };
    }
    case 'json':
    case 'ndjson': {
      const { JsonWriter } = await import('../present/json.js');
      return (captureFormat) => {
        const timeFormat = (args.last('time-format') ?? 'r') as TimeFormat;
        const w = new JsonWriter((s) => out.write(s), { ndjson: format === 'ndjson', captureFormat, fields: args.values('e'), timeFormat });
        return { packet(pkt, _f, a) { w.write(pkt, a); }, skipped(pkt, a) { w.skip(pkt, a); }, end() { w.end(); } };
      };
    }
    case 'fields': {
      const { FieldsWriter, parseFieldsOptions } = await import('../present/fields-out.js');
      const fields = args.values('e');
      return (captureFormat) => {
        const timeFormat = (args.last('time-format') ?? 'r') as TimeFormat;
        const w = new FieldsWriter((s) => out.write(s), fields, { ...parseFieldsOptions(args.values('E')), captureFormat, timeFormat });
        return { packet(pkt, _f, a) { w.write(pkt, a); }, skipped(pkt, a) { w.skip(pkt, a); }, end() { w.end(); } };
      };
    }
    case 'text': {
      const timeFormat = (args.last('time-format') ?? 'r') as TimeFormat;
      const { formatHex } = hex ? await import('../present/hex.js') : { formatHex: undefined };
      if (detail) {
        const { DetailFormatter } = await import('../present/detail.js');
        return (captureFormat) => {
          const tree = new DetailFormatter({ hex, pcapng: captureFormat === 'pcapng', analysis: detailPrefs });
          return {
            packet(pkt, frame, a) {
              // tshark -V -x: the tree, a blank line, the dump, a blank line.
              out.line(tree.format(pkt, a));
              out.line('');
              if (formatHex !== undefined) {
                out.line(formatHex(frame.data));
                out.line('');
              }
            },
            skipped(pkt, a) { tree.skip(pkt, a); },
            end() {},
          };
        };
      }
      const { ListFormatter } = await import('../present/list.js');
      const { TextLine } = await import('../present/tshark/line.js');
      return () => {
        const list = new ListFormatter({ timeFormat, analysed });
        if (formatHex !== undefined) {
          return {
            packet(pkt) {
              // tshark -x without -V prints the dumps alone.
              list.skip(pkt);
              out.line(formatHex(pkt.data));
              out.line('');
            },
            skipped(pkt) { list.skip(pkt); },
            end() {},
          };
        }
        // Lines gather in one buffer that goes to the output in blocks: one copy per block, not per line.
        const lines = new TextLine(LINE_BLOCK + 4096);
        // The first block is small: handed over within the first lines, the call is known to the compiled
        // per-packet code, which a first hand-over after thousands of lines threw away (every caller inlines it).
        let blockEnd = FIRST_LINE_BLOCK;
        const handOver = (): void => {
          out.bytes(lines.buf.subarray(0, lines.pos));
          lines.pos = 0;
          blockEnd = LINE_BLOCK;
        };
        return {
          packet(pkt, _f, a) {
            list.write(lines, pkt, a?.tcp);
            lines.ch(10);
            if (lines.pos >= blockEnd) handOver();
          },
          flush: handOver,
          skipped(pkt) { list.skip(pkt); },
          end: handOver,
        };
      };
    }
  }
}

/** Loads the capture writers (only -w needs them), then returns a maker of the sink writing the selected packets to `path`. */
export async function captureSink(path: string, args: ArgReader): Promise<() => Sink> {
  const { PcapWriter, PcapngWriter } = await import('../capture/index.js');
  const kind = args.oneOf('F', ['pcapng', 'pcap'] as const, 'pcapng');
  return () => {
    const stream = path === '-' ? process.stdout : createWriteStream(path);
    const write = (chunk: Uint8Array): void => { stream.write(chunk); };
    let writer: InstanceType<typeof PcapWriter> | InstanceType<typeof PcapngWriter> | undefined;
    return {
      packet(_pkt, frame) {
        writer ??= kind === 'pcap' ? new PcapWriter(write, { linkType: frame.linkType, nano: frame.tsDigits > 6 }) : new PcapngWriter(write);
        // The reader may reuse its buffer: the writer copies the bytes before returning.
        writer.write(frame);
      },
      async end() {
        if (!writer) writer = kind === 'pcap' ? new PcapWriter(write) : new PcapngWriter(write);
        writer.close();
        if (stream !== process.stdout) {
          (stream as ReturnType<typeof createWriteStream>).end();
          await once(stream, 'close');
        }
      },
    };
  };
}
