/**
 * The field registry: every field name mpscope knows (Wireshark's names where
 * Wireshark has the field), with its type, description, layer and accessor.
 * Display filters, `-T fields`, JSON output and `mpscope fields` are all
 * generated from it.
 */
import { defineAllFields } from './defs/index.js';
import { FieldRegistry, fieldInfo } from './registry.js';
import type { FieldDef, FieldInfo } from './types.js';

/** The registry holding every built-in field. Analysis modules add their fields to it at import time. */
export const fields = new FieldRegistry();
defineAllFields(fields);

/** Every field, in tree order (what `mpscope fields` prints). */
export function listFields(): FieldInfo[] {
  return fields.list().map(fieldInfo);
}

export function getField(name: string): FieldDef | undefined {
  return fields.get(name);
}

/** The `n` known names closest to `name`, for "did you mean" hints. */
export function nearestFieldNames(name: string, n = 3): string[] {
  return fields.nearest(name, n);
}

export { FieldRegistry, Definer, ScopedDefiner, fieldInfo, isMulti, occurrences } from './registry.js';
export type { FieldOptions, Getter, ItemGetter } from './registry.js';
export { ContextBuilder, packetTime } from './context.js';
export { formatValue, bytesHex, ipv4Text, ipv6Text, etherText, timeText, absTimeText, timeDiff, secondsToTime } from './format.js';
export type { BytesStyle } from './format.js';
export { protocolChain } from './protocols.js';
export { packetLayers } from './tree.js';
export type { TreeObject, TreeValue } from './tree.js';
export { tcpOptions } from './defs/index.js';
export { TCP_ANALYSIS_FLAGS, analysisHidesData } from './defs/tcp-analysis.js';
export type { TcpAnalysisFlagInfo } from './defs/tcp-analysis.js';
export type {
  FieldBase,
  FieldContext,
  FieldDef,
  FieldInfo,
  FieldResult,
  FieldType,
  FieldValue,
  PacketAnnotations,
  Scope,
  TimeValue,
} from './types.js';
export { mptcpRawDsn, mptcpRelative64, mptcpSubflowList } from './defs/mptcp-analysis.js';
