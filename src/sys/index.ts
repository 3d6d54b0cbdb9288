/**
 * Live-network access for Linux: MPTCP sockets as Node sockets, their
 * MPTCP_INFO and subflows, the path manager's endpoints, raw sockets and TUN
 * devices for crafted packets, and cleanup that survives Ctrl-C. Everything
 * here but the pure parsers needs the native addon (native/mpscope.cc).
 */
export * from './constants.js';
export { SysError, errnoName, describeErrno, check, sysError, PRIVILEGE_HINT, MPTCP_HINT } from './errors.js';
export type { SysErrorCode } from './errors.js';
export { native, nativeAvailable, nativePath, BUILD_HINT } from './native.js';
export type { NativeAddon, WatchHandle } from './native.js';
export { parseIp, parseIpv4, parseIpv6, formatIp } from './ip-address.js';
export type { IpAddress, IpFamily } from './ip-address.js';
export { encodeSockaddr, decodeSockaddr, formatSockaddr, SOCKADDR_STORAGE_SIZE } from './sockaddr.js';
export type { SockAddr } from './sockaddr.js';
export { parseMptcpInfo, parseTcpInfo, parseSubflowAddrs, parseFullInfo } from './mptcp-info.js';
export type { MptcpInfo, TcpInfo, Subflow, SubflowAddrs, MptcpFullInfo } from './mptcp-info.js';
export {
  createMptcpServer, connectMptcp, mptcpInfo, mptcpState, subflows, subflowAddrs, isMptcpEnabled, openStreamSocket, socketFd,
} from './mptcp-socket.js';
export type { MptcpServerOptions, MptcpConnectOptions, MptcpState } from './mptcp-socket.js';
export { setIntOption, getIntOption, bindToDevice } from './socket-options.js';
export {
  addViaEndpoints, ViaEndpoints, listEndpoints, addEndpoint, deleteEndpoint, getLimits, setLimits, interfaceAddresses, MAX_LIMIT,
} from './endpoints.js';
export type { MptcpEndpoint, MptcpLimits, EndpointFlag, InterfaceAddress, ViaOptions } from './endpoints.js';
export { IpCommand } from './ip-command.js';
export { onCleanup, runCleanups } from './cleanup.js';
export { FdWatch } from './fd-watch.js';
export { MptcpMonitor } from './monitor.js';
export type { MonitorEvent, MonitorOptions, ConnectionReport, SubflowRecord } from './monitor.js';
export { RawSocket } from './raw-socket.js';
export type { RawSocketOptions, RawPacket } from './raw-socket.js';
export { TunDevice } from './tun.js';
export type { TunOptions } from './tun.js';
export { RstGuard, SO_MARK } from './firewall.js';
export type { RstGuardOptions } from './firewall.js';
export { kernelCounters } from './counters.js';
