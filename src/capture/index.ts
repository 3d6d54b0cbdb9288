/** Capture files: streaming pcap/pcapng readers (gzip too), writers, link types. */
export type { CaptureFormat, CaptureInterface, Frame } from './types.js';
export { LinkType, isRawIpLinkType, linkTypeName, linkTypeTcpdumpName } from './linktypes.js';
export type { KnownLinkType } from './linktypes.js';
export { CaptureParser } from './parser.js';
export type { CaptureInfo, CaptureParserOptions, FrameCallback, InterfaceCallback } from './parser.js';
export { READ_CHUNK, isGzip, readCapture, readCaptureBytes, readCaptureStream } from './read.js';
export type { ReadOptions } from './read.js';
export { PcapWriter, encodePcap, DEFAULT_SNAPLEN } from './pcap-writer.js';
export type { PcapWriterOptions } from './pcap-writer.js';
export { PcapngWriter, encodePcapng } from './pcapng-writer.js';
export type { PcapngInterfaceOptions, PcapngWriterOptions } from './pcapng-writer.js';
export type { ByteSink } from './chunk-writer.js';
export { openCaptureWriter } from './file.js';
export type { CaptureFileWriter } from './file.js';
export { tsResolution, unitsToSecNsec, secNsecToUnits } from './timestamp.js';
export type { TsResolution, SecNsec, HiLo } from './timestamp.js';
