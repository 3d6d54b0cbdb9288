/**
 * IP address text and socket addresses: parsing, RFC 5952 text (checked
 * against Node's URL parser, which normalizes IPv6 hosts), sockaddr layouts.
 */
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import { decodeSockaddr, encodeSockaddr, formatIp, formatSockaddr, parseIp, parseIpv4, parseIpv6 } from '../../src/sys/index.js';

test('IPv4 text', () => {
  assert.deepEqual([...parseIpv4('10.0.1.254')!], [10, 0, 1, 254]);
  for (const bad of ['10.0.1', '10.0.1.256', '1.2.3.4.5', '01234.1.1.1', 'a.b.c.d', '', '1..2.3']) assert.equal(parseIpv4(bad), undefined, bad);
  assert.equal(formatIp(new Uint8Array([192, 168, 0, 1]), 4), '192.168.0.1');
});

test('IPv6 text: the forms people write', () => {
  const cases: Array<[string, string]> = [
    ['::', '::'],
    ['::1', '::1'],
    ['fd00:1::2', 'fd00:1::2'],
    ['2001:DB8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['fe80::', 'fe80::'],
  ];
  for (const [input, text] of cases) assert.equal(formatIp(parseIpv6(input)!, 6), text, input);
  for (const bad of [':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '12345::', '1:2:3:4:5:6:7:8::', '::1.2.3']) {
    assert.equal(parseIpv6(bad), undefined, bad);
  }
});

test('IPv6 text agrees with Node on random addresses with zero runs', () => {
  let x = 12345;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xffff;
  for (let i = 0; i < 2000; i++) {
    const groups = Array.from({ length: 8 }, () => (rnd() % 3 === 0 ? 0 : rnd() % 5 === 0 ? rnd() & 0xf : rnd()));
    const full = groups.map((g) => g.toString(16)).join(':');
    const ours = formatIp(parseIpv6(full)!, 6);
    const node = new URL(`http://[${full}]/`).hostname.slice(1, -1);
    // Node writes IPv4-mapped addresses in hex; everything else must match exactly.
    if (!ours.startsWith('::ffff:')) assert.equal(ours, node, full);
    assert.equal(isIP(ours), 6);
    assert.deepEqual(parseIpv6(ours), parseIpv6(full));
  }
});

test('parseIp tells families apart and keeps an IPv6 zone', () => {
  assert.equal(parseIp('10.1.2.3')?.family, 4);
  assert.equal(parseIp('fd00::1')?.family, 6);
  assert.deepEqual(parseIp('fe80::1%eth0'), { family: 6, bytes: parseIpv6('fe80::1'), zone: 'eth0' });
  assert.equal(parseIp('example.com'), undefined);
  assert.equal(parseIp('10.0.0.1:80'), undefined);
});

test('sockaddr_in and sockaddr_in6 bytes', () => {
  const v4 = encodeSockaddr({ family: 4, address: '10.0.1.2', port: 5201 });
  assert.equal(v4.length, 16);
  // sa_family in host order (little-endian here), port and address in network order.
  assert.deepEqual([...v4.subarray(0, 8)], [2, 0, 0x14, 0x51, 10, 0, 1, 2]);
  assert.deepEqual(decodeSockaddr(v4), { family: 4, address: '10.0.1.2', port: 5201 });

  const v6 = encodeSockaddr({ family: 6, address: 'fd00:1::2', port: 443, flowInfo: 0x12345, scopeId: 3 });
  assert.equal(v6.length, 28);
  assert.deepEqual([...v6.subarray(0, 8)], [10, 0, 1, 0xbb, 0, 1, 0x23, 0x45]);
  assert.deepEqual(decodeSockaddr(v6), { family: 6, address: 'fd00:1::2', port: 443, flowInfo: 0x12345, scopeId: 3 });
  assert.equal(formatSockaddr(decodeSockaddr(v6)!), '[fd00:1::2]:443');

  const storage = new Uint8Array(256);
  storage.set(v4, 128);
  assert.equal(decodeSockaddr(storage, 0), undefined, 'an empty slot (family 0)');
  assert.deepEqual(decodeSockaddr(storage, 128), { family: 4, address: '10.0.1.2', port: 5201 });
  assert.equal(decodeSockaddr(new Uint8Array(8)), undefined, 'too short');
  assert.throws(() => encodeSockaddr({ family: 4, address: 'fd00::1', port: 1 }), TypeError);
});
