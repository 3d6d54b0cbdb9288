/** MPTCP cryptography: hashes, key-derived tokens and IDSNs, HMACs, DSS checksum. */
export { sha1, sha256, hmac, hmacSha1, hmacSha256, type HashName } from './hash.js';
export {
  keyToToken, keyToIdsn, joinSynAckHmac, joinAckHmac, addAddrHmac, beBytes, type MptcpVersion,
} from './crypto.js';
export { DssChecksum, dssChecksum, verifyDssChecksum, type ChecksumStatus } from './dss-checksum.js';
