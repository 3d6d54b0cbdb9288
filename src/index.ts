/**
 * mpscope: read captures, decode every TCP and MPTCP option, print like tshark
 * and tcpdump. Each layer is also its own entry point (`mpscope/capture`,
 * `mpscope/wire`, `mpscope/mptcp`, `mpscope/fields`, `mpscope/present`).
 */
export * as capture from './capture/index.js';
export * as wire from './wire/index.js';
export * as mptcp from './mptcp/index.js';
export * as fields from './fields/index.js';
export * as present from './present/index.js';
export * as filter from './filter/index.js';
export * as analysis from './analysis/index.js';
export * as probe from './probe/index.js';
export { MpscopeError, CaptureError, UsageError, isMpscopeError } from './util/errors.js';
export { readCapture, readCaptureBytes } from './capture/index.js';
export { decodePacket } from './wire/index.js';
export type { Frame } from './capture/index.js';
export type { Packet, Finding, TcpRepr, MptcpOption } from './wire/types.js';
