/**
 * `-T json` and `-T ndjson`: every field of every packet, shaped like
 * tshark's `-T json --no-duplicate-keys` output and generated from the field
 * registry.
 *
 * Each packet is `{"_index": "packets-YYYY-MM-DD", "_type": "doc",
 * "_score": null, "_source": {"layers": {...}}}` where `layers` holds one
 * object per protocol (`frame`, `eth`, `ip`, `tcp`...), every value a string
 * as tshark writes it, sub-fields in `<field>_tree` objects, each TCP option
 * in its own node inside `tcp.options_tree` (`tcp.options.mss` with its
 * bytes and `tcp.options.mss_tree`; each MPTCP option as an `mptcp` object),
 * and repeated keys as arrays. JSON output is an array written packet by
 * packet; NDJSON is one packet object per line. With `-e` fields (tshark's
 * `-T json -e F`), `layers` holds just those, in their order, each as the
 * list of its occurrences' texts, and no key for a field the packet lacks.
 */
import { ContextBuilder, fields as defaultRegistry, packetLayers } from '../fields/index.js';
import type { FieldRegistry, PacketAnnotations, TreeObject } from '../fields/index.js';
import type { Packet } from '../wire/types.js';
import { FieldValues } from './fields-out.js';
import type { TimeFormat } from './tshark/time.js';

export interface JsonWriterOptions {
  /** One compact object per line instead of an indented array. */
  ndjson?: boolean;
  registry?: FieldRegistry;
  /** The capture's format when known (tshark shows frame.interface_id for pcapng only). */
  captureFormat?: 'pcap' | 'pcapng' | undefined;
  /** Only these fields (`-e`); unknown names throw UsageError with hints. */
  fields?: readonly string[] | undefined;
  /** tshark `-t`, for a `_ws.col.Time` field. */
  timeFormat?: TimeFormat;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** tshark's Elasticsearch-style index name: the packet's local date. */
function indexName(p: Packet): string {
  const d = new Date(p.tsSec * 1000);
  return `packets-${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

export interface JsonPacket {
  _index: string;
  _type: 'doc';
  _score: null;
  _source: { layers: TreeObject };
}

export class JsonWriter {
  private readonly contexts: ContextBuilder;
  private readonly registry: FieldRegistry;
  /** With `-e`: the chosen fields, which then make the whole of `layers`. */
  private readonly chosen: FieldValues | undefined;
  private readonly ndjson: boolean;
  private count = 0;
  private ended = false;

  constructor(
    private readonly sink: (s: string) => void,
    opts: JsonWriterOptions = {},
  ) {
    this.registry = opts.registry ?? defaultRegistry;
    this.ndjson = opts.ndjson ?? false;
    this.contexts = new ContextBuilder(opts.captureFormat);
    const { fields, captureFormat, timeFormat } = opts;
    this.chosen = fields !== undefined && fields.length > 0 ? new FieldValues(fields, { registry: this.registry, captureFormat, ...(timeFormat ? { timeFormat } : {}) }) : undefined;
    if (!this.ndjson) sink('[');
  }

  /** The JSON element for one packet (also what each NDJSON line holds). */
  element(p: Packet, analysis?: PacketAnnotations): JsonPacket {
    return { _index: indexName(p), _type: 'doc', _score: null, _source: { layers: this.layers(p, analysis) } };
  }

  private layers(p: Packet, analysis: PacketAnnotations | undefined): TreeObject {
    const chosen = this.chosen;
    if (chosen === undefined) return packetLayers(this.contexts.next(p, analysis), this.registry);
    const ctx = chosen.next(p, analysis);
    const layers: TreeObject = {};
    chosen.names.forEach((name, i) => {
      const values = chosen.occurrences(i, ctx);
      if (values.length > 0) layers[name] = values;
    });
    return layers;
  }

  write(p: Packet, analysis?: PacketAnnotations): void {
    const el = this.element(p, analysis);
    if (this.ndjson) {
      this.sink(JSON.stringify(el) + '\n');
    } else {
      const body = JSON.stringify(el, null, 2).replace(/\n/g, '\n  ');
      this.sink((this.count === 0 ? '\n  ' : ',\n  ') + body);
    }
    this.count++;
  }

  /** A packet read but not printed: it still counts for frame.time_delta and frame.time_relative. */
  skip(p: Packet, analysis?: PacketAnnotations): void {
    if (this.chosen) this.chosen.skip(p, analysis);
    else this.contexts.skip(p);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.ndjson) this.sink(this.count === 0 ? ']\n' : '\n]\n');
  }
}
