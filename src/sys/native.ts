import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SysError } from './errors.js';

/** Opaque handle of a readiness watch (a libuv poll handle inside the addon). */
export interface WatchHandle {
  readonly __watch: unique symbol;
}

/**
 * The addon's functions (native/mpscope.cc). Each returns its result (>= 0)
 * or -errno; `check()` in errors.ts turns the latter into a SysError.
 * Reads, writes and close of fds are Node's fs.readSync / writeSync / closeSync.
 */
export interface NativeAddon {
  /** socket(2), always with SOCK_NONBLOCK | SOCK_CLOEXEC. */
  socket(family: number, type: number, protocol: number): number;
  bind(fd: number, sockaddr: Uint8Array): number;
  /** Non-blocking: -EINPROGRESS while the handshake runs. */
  connect(fd: number, sockaddr: Uint8Array): number;
  /** `buf` is read by the kernel too (MPTCP options take a header in it); returns the length written. */
  getsockopt(fd: number, level: number, name: number, buf: Uint8Array): number;
  setsockopt(fd: number, level: number, name: number, buf: Uint8Array): number;
  /** getsockopt(SOL_MPTCP, MPTCP_FULL_INFO) with the two arrays' addresses patched into `head`. */
  mptcpFullInfo(fd: number, head: Uint8Array, subflowInfos: Uint8Array, tcpInfos: Uint8Array): number;
  /** Opens /dev/net/tun and attaches it (TUNSETIFF); `name` (16 bytes) gets the device's name. */
  openTun(name: Uint8Array, flags: number): number;
  sendto(fd: number, buf: Uint8Array, sockaddr: Uint8Array): number;
  /** `from` (128 bytes is enough) receives the sender's sockaddr. */
  recvfrom(fd: number, buf: Uint8Array, from: Uint8Array): number;
  /** Calls back on the event loop when `fd` is ready (UV_READABLE/UV_WRITABLE); a number is -errno. */
  watch(fd: number, events: number, callback: (status: number, events: number) => void): WatchHandle | number;
  /** Stops a watch; exactly once per handle. */
  unwatch(handle: WatchHandle): void;
}

/** Where the build puts the addon: the package root's build/Release, two levels above src/sys or dist/sys. */
export function nativePath(): string {
  return process.env.MPSCOPE_NATIVE ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../build/Release/mpscope.node');
}

export const BUILD_HINT =
  "build it with 'npm rebuild mpscope' (in a source checkout: 'npm run install'); it needs python3, make and g++";

let addon: NativeAddon | undefined;
let loadError: SysError | undefined;

/** The addon, loaded on first use. Throws SysError NATIVE_UNAVAILABLE, with how to build it, when it cannot load. */
export function native(): NativeAddon {
  if (addon) return addon;
  if (loadError) throw loadError;
  const path = nativePath();
  if (process.platform !== 'linux') {
    loadError = new SysError('NATIVE_UNAVAILABLE', `MPTCP sockets, raw sockets and TUN devices need Linux (this is ${process.platform})`);
    throw loadError;
  }
  if (!existsSync(path)) {
    loadError = new SysError('NATIVE_UNAVAILABLE', `the native addon is not built (no ${path})`, BUILD_HINT);
    throw loadError;
  }
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
    return addon;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    loadError = new SysError('NATIVE_UNAVAILABLE', `the native addon does not load: ${why}`, BUILD_HINT);
    throw loadError;
  }
}

/** True when the addon loads (without throwing). */
export function nativeAvailable(): boolean {
  try {
    native();
    return true;
  } catch {
    return false;
  }
}
