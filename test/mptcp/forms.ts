/** Bytes from hex text; spaces are ignored. */
export const fromHex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

const KEY_A = '1122334455667788';
const KEY_B = '99aabbccddeeff00';
const V6 = '20010db8000000000000000000000001';

/**
 * One example of every MPTCP option form (kind and length included), then
 * malformed ones (labels starting with "malformed").
 */
export const FORMS: Array<[label: string, hex: string]> = [
  ['capable v1 SYN', `1e04 0101`],
  ['capable v1 SYN with C', `1e04 0121`],
  ['capable v1 SYN/ACK A C H', `1e0c 01a1 ${KEY_B}`],
  ['capable v1 ACK', `1e14 0101 ${KEY_A} ${KEY_B}`],
  ['capable v1 ACK + data length', `1e16 0101 ${KEY_A} ${KEY_B} 0010`],
  ['capable v1 ACK + data length + checksum', `1e18 0181 ${KEY_A} ${KEY_B} 0010 beef`],
  ['capable v0 SYN B flag', `1e0c 00c1 ${KEY_A}`],
  ['join SYN backup', `1e0c 1103 a9a0dd64 07305469`],
  ['join SYN/ACK backup', `1e10 1105 56c7a377b2e33fda a29163c5`],
  ['join ACK', `1e18 1000 1fceecda9278c5620db94989c0e51113f4b8576e`],
  ['dss none', `1e04 2000`],
  ['dss ack32', `1e08 2001 eedf3c42`],
  ['dss ack64', `1e0c 2003 0000000100000002`],
  ['dss map32', `1e0e 2004 83a68961 00000001 0005`],
  ['dss map32 csum', `1e10 2004 83a68961 00000001 0005 9e97`],
  ['dss map64', `1e12 200c 1afff58883a68961 00000001 0005`],
  ['dss ack32 map64 csum', `1e18 200d eedf3c42 1afff58883a68961 00000001 0005 9e97`],
  ['dss ack64 map32', `1e16 2007 0000000100000002 aabbccdd 00000001 0010`],
  ['dss ack64 map64 fin csum', `1e1c 201f 0000000100000002 1122334455667788 00000000 0001 dc4a`],
  ['dss infinite mapping', `1e0e 2004 00000000 00000000 0000`],
  ['dss fin only', `1e08 2011 eedf3c48`],
  ['add-addr v0 ipv4', `1e08 3402 c0a8001c`],
  ['add-addr v0 ipv4 port', `1e0a 3402 c0a8001c 1f90`],
  ['add-addr v0 ipv6', `1e14 3608 ${V6}`],
  ['add-addr v0 ipv6 port', `1e16 3608 ${V6} 1f90`],
  ['add-addr v1 ipv4 echo', `1e08 3101 0a000201`],
  ['add-addr v1 ipv4 echo port', `1e0a 3101 0a000201 1f90`],
  ['add-addr v1 ipv4 hmac', `1e10 3001 0a000201 d1f9e67a9a6a6e2e`],
  ['add-addr v1 ipv4 port hmac', `1e12 3001 0a000201 1f90 d1f9e67a9a6a6e2e`],
  ['add-addr v1 ipv6 echo', `1e14 3102 ${V6}`],
  ['add-addr v1 ipv6 echo port', `1e16 3102 ${V6} 1f90`],
  ['add-addr v1 ipv6 hmac', `1e1c 3002 ${V6} 0102030405060708`],
  ['add-addr v1 ipv6 port hmac', `1e1e 3002 ${V6} 1f90 0102030405060708`],
  ['remove-addr one', `1e04 4005`],
  ['remove-addr three', `1e06 40 010203`],
  ['prio', `1e03 51`],
  ['prio v0 with id', `1e04 5007`],
  ['fail', `1e0c 6000 8710f99bfb4e435d`],
  ['fastclose', `1e0c 7000 ${KEY_B}`],
  ['tcprst U V W T', `1e04 8f06`],
  ['tcprst none', `1e04 8002`],
  ['experimental', `1e06 f0 112233`],
  ['unknown subtype 9', `1e05 90 1122`],
  ['malformed dss length 3', `1e03 20`],
  ['malformed dss length vs flags', `1e0a 2001 eedf3c42 0000`],
  ['malformed capable v0 length 4', `1e04 0081`],
  ['malformed join length 13', `1e0d 1000 a9a0dd64 07305469 00`],
  ['malformed add-addr length 9', `1e09 3001 0a000201 00`],
  ['malformed no subtype', `1e02`],
];

