/** Output formats: tshark-style list, detail tree and hex; tcpdump lines; JSON, NDJSON and field export. */
export { ListFormatter, addressColumns } from './list.js';
export type { ListOptions, TimeFormat } from './list.js';
export { TextLine } from './tshark/line.js';
export { infoColumn, protocolColumn, tcpInfo, tcpFlagsText, WindowScaleTracker } from './info.js';
export { DetailFormatter, formatDetail } from './detail.js';
export type { DetailAnalysisPrefs, DetailOptions } from './detail.js';
export { formatHex } from './hex.js';
export type { HexOptions } from './hex.js';
export { TcpdumpFormatter } from './tcpdump.js';
export type { TcpdumpOptions, TsStyle } from './tcpdump.js';
export { JsonWriter } from './json.js';
export type { JsonWriterOptions, JsonPacket } from './json.js';
export { FieldsWriter, FieldValues, parseFieldsOptions, resolveFields, DEFAULT_FIELDS_OPTIONS } from './fields-out.js';
export type { FieldsOptions, FieldsWriterOptions, FieldValuesOptions } from './fields-out.js';
export { formatTcpdumpHex } from './tcpdump-hex.js';
export { makeTap, tapHelp } from './stats/index.js';
export type { StatTap, TapEnv, TapFilter, TapMaker, TapNeeds } from './stats/index.js';
