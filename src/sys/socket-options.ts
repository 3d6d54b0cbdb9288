import { closeSync } from 'node:fs';
import { SO_BINDTODEVICE, SOL_SOCKET } from './constants.js';
import { check } from './errors.js';
import { native } from './native.js';

/** setsockopt with an int value (most options). */
export function setIntOption(fd: number, level: number, name: number, value: number, what: string): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, true);
  check(native().setsockopt(fd, level, name, b), 'setsockopt', what);
}

/** getsockopt of an int option. */
export function getIntOption(fd: number, level: number, name: number, what: string): number {
  const b = new Uint8Array(4);
  check(native().getsockopt(fd, level, name, b), 'getsockopt', what);
  return new DataView(b.buffer).getInt32(0, true);
}

/** SO_BINDTODEVICE: the socket only uses this interface. */
export function bindToDevice(fd: number, device: string): void {
  check(native().setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, new TextEncoder().encode(`${device}\0`)), 'setsockopt',
    `binding to device ${device}`);
}

/** close(2) for an fd not yet handed to Node, ignoring errors (the error being reported matters more). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
