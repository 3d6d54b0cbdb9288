/** Capture files: streaming pcap/pcapng readers (gzip too), writers, link types. */
export type { CaptureFormat, CaptureInterface, Frame } from './types.js';
export { LinkType, isRawIpLinkType, linkTypeName, linkTypeTcpdumpName } from './linktypes.js';
export type { KnownLinkType } from './linktypes.js';
export { CaptureParser } from './parser.js';
export type { CaptureInfo, CaptureParserOptions, FrameCallback, InterfaceCallback } from './parser.js';
export { READ_CHUNK, isGzip, readCapture, readCaptureBytes, readCaptureStream } from './read.js';
export type { ReadOptions } from './read.js';
