import { constants } from 'node:os';
import { MpscopeError } from '../util/errors.js';

export type SysErrorCode =
  /** The native addon is not built or does not load. */
  | 'NATIVE_UNAVAILABLE'
  /** The kernel refused for lack of privilege (EPERM/EACCES). */
  | 'PERMISSION'
  /** This kernel has no MPTCP, or it is disabled (net.mptcp.enabled=0). */
  | 'MPTCP_UNAVAILABLE'
  /** Any other failed system call; `errno` and `syscall` tell which. */
  | 'SYSCALL'
  /** An external command (ip) failed. */
  | 'COMMAND'
  /** A network interface named by the user does not exist or has no usable address. */
  | 'INTERFACE';

/** Failures of the live-network layer: sockets, TUN, endpoints. */
export class SysError extends MpscopeError {
  /** errno name such as 'ECONNREFUSED', when a system call failed. */
  readonly errno: string | undefined;
  readonly syscall: string | undefined;
  constructor(code: SysErrorCode, message: string, hint?: string, errno?: string, syscall?: string) {
    super(code, message, hint);
    this.errno = errno;
    this.syscall = syscall;
  }
}

const ERRNO_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.errno)) if (!ERRNO_NAMES.has(n)) ERRNO_NAMES.set(n, name);

/** 'ECONNREFUSED' for 111; 'E111' for numbers Node does not name. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

export const PRIVILEGE_HINT = 'run as root, or give node CAP_NET_ADMIN and CAP_NET_RAW (setcap cap_net_admin,cap_net_raw+ep $(command -v node))';

/** Turns a native result (>= 0, or -errno) into the result, or throws a SysError saying what failed. */
export function check(rc: number, syscall: string, what: string): number {
  if (rc >= 0) return rc;
  throw sysError(errnoName(-rc), syscall, what);
}

/** The SysError for a failed system call: `what` says what mpscope was doing, in words. */
export function sysError(errno: string, syscall: string, what: string): SysError {
  if (errno === 'EPERM' || errno === 'EACCES') {
    const hint = syscall === 'bind' ? 'ports below 1024 need root (or CAP_NET_BIND_SERVICE); pick a higher port' : PRIVILEGE_HINT;
    return new SysError('PERMISSION', `${what}: permission denied (${syscall}: ${errno})`, hint, errno, syscall);
  }
  if (errno === 'EPROTONOSUPPORT' && syscall === 'socket') {
    return new SysError('MPTCP_UNAVAILABLE', `${what}: protocol not supported by this kernel (${syscall}: ${errno})`,
      MPTCP_HINT, errno, syscall);
  }
  return new SysError('SYSCALL', `${what}: ${describeErrno(errno)} (${syscall}: ${errno})`, undefined, errno, syscall);
}

export const MPTCP_HINT = 'MPTCP needs Linux 5.6 or later built with CONFIG_MPTCP, and sysctl net.mptcp.enabled=1';

const DESCRIPTIONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  ENODEV: 'no such device',
  ENOENT: 'no such file or directory',
  EINVAL: 'invalid argument',
  EBUSY: 'device or resource busy',
  EAFNOSUPPORT: 'address family not supported',
  EOPNOTSUPP: 'operation not supported',
};

export function describeErrno(name: string): string {
  return DESCRIPTIONS[name] ?? name;
}
