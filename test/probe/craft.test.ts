import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LinkType } from '../../src/capture/index.js';
import {
  addAddr, craftedCapture, craftedFrames, decodeCrafted, dss, eol, ethernet, fastOpen, icmp, ipv4, ipv6, keyFacts, md5, mpCapable, mpExperimental,
  mpFail, mpFastclose, mpJoinAck, mpJoinSyn, mpJoinSynAck, mpPrio, mpTcpRst, mss, nop, optionBytes, payload, ProbeError, rawOption, removeAddr,
  sack, sackPerm, serialize, tcp, tcpAo, tcpFlags, tcpSegment, ts, udp, userTimeout, withLength, wscale,
} from '../../src/probe/index.js';
import type { TcpOption } from '../../src/wire/index.js';
import { verifyDssChecksum } from '../../src/mptcp/index.js';
import { decodeMptcpOption } from '../../src/wire/index.js';
import { TcpFlag } from '../../src/wire/types.js';
import { hasCommand } from '../helpers/shared.js';

const A = '10.1.0.1';
const B = '10.2.0.2';
const A6 = 'fd00:1::1';
const B6 = 'fd00:2::2';
const CLIENT_KEY = 0x0102030405060708n;
const SERVER_KEY = 0x1112131415161718n;

/** The decoded option list without padding, as [type, fields] pairs comparable across encodings. */
function optionFields(options: readonly TcpOption[]): unknown[] {
  return options.filter((o) => o.type !== 'nop' && o.type !== 'eol').map((o) => {
    const { offset: _o, raw: _r, ...rest } = o as TcpOption & Record<string, unknown>;
    return { ...rest, raw: Buffer.from(o.raw).toString('hex') };
  });
}

/** The fields that are set (decoders spell absent fields as undefined, builders leave them out). */
function defined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Every MPTCP option builder, both versions where they differ. */
function everyMptcpOption(): Array<[string, TcpOption]> {
  const c = keyFacts(CLIENT_KEY, 1);
  const auth = { version: 1 as const, senderKey: SERVER_KEY, receiverKey: CLIENT_KEY, senderNonce: 0x11223344, receiverNonce: 0xaabbccdd };
  const data = new Uint8Array(100).fill(0x61);
  return [
    ['MP_CAPABLE v1 SYN', mpCapable()],
    ['MP_CAPABLE v1 SYN/ACK', mpCapable({ senderKey: SERVER_KEY })],
    ['MP_CAPABLE v1 ACK', mpCapable({ senderKey: CLIENT_KEY, receiverKey: SERVER_KEY })],
    ['MP_CAPABLE v1 data', mpCapable({ senderKey: CLIENT_KEY, receiverKey: SERVER_KEY, dataLength: 100 })],
    ['MP_CAPABLE v1 data+csum', mpCapable({ flags: 'AH', senderKey: CLIENT_KEY, receiverKey: SERVER_KEY, dataLength: 100, checksum: 'compute', payload: data })],
    ['MP_CAPABLE v0 SYN', mpCapable({ version: 0, flags: 'AH', senderKey: CLIENT_KEY })],
    ['MP_CAPABLE v0 ACK', mpCapable({ version: 0, flags: 'AH', senderKey: CLIENT_KEY, receiverKey: SERVER_KEY })],
    ['MP_JOIN SYN', mpJoinSyn({ addrId: 3, backup: true, nonce: 0xaabbccdd, receiverKey: SERVER_KEY })],
    ['MP_JOIN SYN/ACK', mpJoinSynAck({ addrId: 1, auth })],
    ['MP_JOIN ACK', mpJoinAck({ auth: { ...auth, senderKey: CLIENT_KEY, receiverKey: SERVER_KEY, senderNonce: 0xaabbccdd, receiverNonce: 0x11223344 } })],
    ['DSS ack8', dss({ dataAck: c.idsn + 1n })],
    ['DSS map8+ack8+csum', dss({ dataAck: 0x1234n, dsn: c.idsn + 1n, ssn: 1, payload: data, checksum: 'compute' })],
    ['DSS map4 ack4', dss({ dataAck: 7, dataAckWidth: 4, dsn: c.idsn + 1n, dsnWidth: 4, ssn: 1, dataLength: 100 })],
    ['DSS DATA_FIN', dss({ dataFin: true, dsn: 5n, ssn: 0, dataLength: 1 })],
    ['DSS infinite mapping', dss({ dsn: 5n, ssn: 0, dataLength: 0, checksum: 0 })],
    ['ADD_ADDR v1 IPv4', addAddr({ addrId: 2, address: '10.0.2.1', auth: { senderKey: SERVER_KEY, receiverKey: CLIENT_KEY } })],
    ['ADD_ADDR v1 IPv6 port', addAddr({ addrId: 2, address: 'fd00::2', port: 443, hmac: 0x0102030405060708n })],
    ['ADD_ADDR v1 echo', addAddr({ addrId: 2, address: '10.0.2.1', echo: true })],
    ['ADD_ADDR v0 IPv4 port', addAddr({ version: 0, addrId: 4, address: '10.0.4.1', port: 8080 })],
    ['REMOVE_ADDR', removeAddr([2, 3, 4])],
    ['MP_PRIO v1', mpPrio(true)],
    ['MP_PRIO v0 with id', mpPrio(false, 3)],
    ['MP_FAIL', mpFail(c.idsn + 100n)],
    ['MP_FASTCLOSE', mpFastclose(SERVER_KEY)],
    ['MP_TCPRST', mpTcpRst(6, 'T')],
    ['MP_EXPERIMENTAL', mpExperimental(Uint8Array.of(1, 2, 3), 5)],
  ];
}

describe('MPTCP option builders', () => {
  it('every option decodes back to the Repr it was built from', () => {
    for (const [label, o] of everyMptcpOption()) {
      assert.equal(o.type, 'mptcp', label);
      if (o.type !== 'mptcp') continue;
      assert.equal(o.raw.length, o.mptcp.length, `${label}: length byte matches the bytes`);
      assert.equal(o.raw[1], o.mptcp.length, label);
      const back = decodeMptcpOption(o.raw, 0, o.raw.length);
      assert.deepEqual(defined(back), defined(o.mptcp), label);
    }
  });

  it('lengths follow the fields: the forms of each version', () => {
    const len = (o: TcpOption): number => o.length;
    assert.deepEqual(
      [mpCapable(), mpCapable({ senderKey: 1n }), mpCapable({ senderKey: 1n, receiverKey: 2n }), mpCapable({ senderKey: 1n, receiverKey: 2n, dataLength: 1 }),
        mpCapable({ senderKey: 1n, receiverKey: 2n, dataLength: 1, checksum: 0 })].map(len),
      [4, 12, 20, 22, 24],
    );
    assert.deepEqual([dss({ dataAck: 1n }), dss({ dataAck: 1n, dataAckWidth: 4 }), dss({ dsn: 1n }), dss({ dsn: 1n, checksum: 0 }), dss({ dataAck: 1n, dsn: 1n, checksum: 0 })].map(len), [12, 8, 18, 20, 28]);
    assert.deepEqual([addAddr({ addrId: 1, address: A, echo: true }), addAddr({ addrId: 1, address: A, hmac: 1n }), addAddr({ addrId: 1, address: A6, port: 1, hmac: 1n }), addAddr({ version: 0, addrId: 1, address: A6 })].map(len), [8, 16, 30, 20]);
  });

  it('computed values come from the crypto module: DSS checksum verifies, tokens and HMACs match the keys', () => {
    const data = new TextEncoder().encode('hello world');
    const o = dss({ dsn: 0xffffffff_fffffff0n, dsnWidth: 4, ssn: 9, payload: data, checksum: 'compute' }).mptcp;
    assert.ok(o.name === 'DSS');
    assert.equal(o.dsn, 0xfffffff0n, 'a 4-byte DSN carries the low 32 bits');
    assert.equal(verifyDssChecksum(0xffffffff_fffffff0n, 9, data.length, o.checksum!, data), 'good');
    const join = mpJoinSyn({ nonce: 1, receiverKey: SERVER_KEY }).mptcp;
    assert.ok(join.name === 'MP_JOIN');
    assert.equal(join.token, keyFacts(SERVER_KEY, 1).token);
    assert.equal(join.token, 0xccad45ac, 'the v1 vector token');
  });

  it('mistakes are ProbeErrors with a reason', () => {
    assert.throws(() => mpJoinSyn({ nonce: 1 }), ProbeError);
    assert.throws(() => mpJoinSynAck({ nonce: 1 }), /HMAC/);
    assert.throws(() => addAddr({ addrId: 1, address: A }), /HMAC/);
    assert.throws(() => addAddr({ version: 0, addrId: 1, address: A, hmac: 1n }), /no HMAC/);
    assert.throws(() => addAddr({ addrId: 1, address: '10.0.0.300', echo: true }), /not an IP address/);
    assert.throws(() => mpCapable({ flags: 'AX' }), /unknown MP_CAPABLE flag 'X'/);
    assert.throws(() => dss({ checksum: 'compute' }), /needs a mapping/);
    assert.throws(() => mss(70000), /MSS/);
  });
});

describe('serialize and tcpSegment', () => {
  const allOptions = (): TcpOption[] => [
    mss(1460), sackPerm(), ts(1, 2), nop(), wscale(7), sack([[1, 2], [3, 4]]), md5(), userTimeout(30), tcpAo(1, 2, new Uint8Array(12)),
    fastOpen(Uint8Array.of(1, 2, 3, 4)), rawOption(0xfd, Uint8Array.of(0xaa)),
  ];

  it('a crafted segment decodes to the fields it was built from (IPv4 and IPv6), checksums good', () => {
    for (const [src, dst] of [[A, B], [A6, B6]] as const) {
      const options = [...allOptions().slice(0, 5), mpCapable({ senderKey: CLIENT_KEY })];
      const bytes = tcpSegment({
        src, dst, sport: 40000, dport: 5201, seq: 0xfffffff0, ack: 77, flags: 'SA', window: 1234, urgentPointer: 5,
        options, payload: 'data', ttl: 9, dscp: 10, ecn: 2, id: 0x4242, flowLabel: 0x12345,
      });
      const p = decodeCrafted(bytes);
      assert.deepEqual(p.findings, [], `${src}: no findings`);
      assert.ok(p.ip && p.tcp);
      if (p.ip.layer === 'ip') {
        assert.equal(p.ip.ttl, 9);
        assert.equal(p.ip.id, 0x4242);
        assert.equal(p.ip.flags, 2, 'DF by default');
        assert.equal(p.ip.totalLength, bytes.length);
        assert.equal(p.ip.checksumOk, true);
      } else {
        assert.equal(p.ip.hopLimit, 9);
        assert.equal(p.ip.flowLabel, 0x12345);
        assert.equal(p.ip.payloadLength, bytes.length - 40);
      }
      const tc = p.ip.layer === 'ip' ? [p.ip.dscp, p.ip.ecn] : [p.ip.trafficClass >> 2, p.ip.trafficClass & 3];
      assert.deepEqual(tc, [10, 2]);
      const t = p.tcp;
      assert.deepEqual([t.srcPort, t.dstPort, t.seq, t.ack, t.flags, t.window, t.urgentPointer], [40000, 5201, 0xfffffff0, 77, TcpFlag.SYN | TcpFlag.ACK, 1234, 5]);
      assert.equal(t.checksumOk, true);
      assert.equal(t.dataOffset * 4, 20 + 32, 'options padded to a multiple of 4');
      assert.deepEqual(optionFields(t.options), optionFields(options));
      assert.equal(new TextDecoder().decode(p.data.subarray(p.payloadOffset)), 'data');
    }
  });

  it('every TCP option kind round-trips, padded with NOPs', () => {
    const all = allOptions();
    for (const options of [all.slice(4, 7), all.slice(7, 9), all.slice(9)]) {
      const p = decodeCrafted(tcpSegment({ src: A, dst: B, sport: 1, dport: 2, options }));
      assert.deepEqual(p.findings, []);
      assert.deepEqual(optionFields(p.tcp!.options), optionFields(options));
      assert.ok(p.tcp!.options.slice(options.length).every((o) => o.type === 'nop'), 'padding is NOPs');
    }
    assert.throws(() => tcpSegment({ src: A, dst: B, sport: 1, dport: 2, options: all }), /at most 40/);
    const oversized = decodeCrafted(tcpSegment({ src: A, dst: B, sport: 1, dport: 2, options: all, dataOffset: 15 }, { fixLengths: false }));
    assert.equal(oversized.tcp?.dataOffset, 15, 'an oversized header goes out as asked');
  });

  it('Ethernet with VLAN tags, UDP, and an ICMP error quoting a TCP segment', () => {
    const frame = serialize([ethernet({ src: '02:00:00:00:00:aa', vlans: [{ vid: 10, pcp: 3 }] }), ipv4({ src: A, dst: B }), udp({ srcPort: 53, dstPort: 5353 }), payload('x')]);
    const pu = decodeCrafted(frame, LinkType.ETHERNET);
    assert.deepEqual(pu.findings, []);
    assert.equal(pu.link?.layer === 'eth' && pu.link.vlans[0]?.vid, 10);
    assert.equal(pu.udp?.checksumOk, true);
    assert.equal(pu.udp?.udpLength, 9);

    const probe = tcpSegment({ src: A, dst: B, sport: 40000, dport: 80, seq: 99, flags: 'S', ttl: 1, options: [mss(1460), mpCapable()] });
    for (const [quote, partial] of [[probe, false], [probe.subarray(0, 28), true]] as const) {
      const err = serialize([ipv4({ src: '10.9.9.9', dst: A }), icmp({ type: 11 }), payload(quote)]);
      const pi = decodeCrafted(err);
      assert.deepEqual(pi.findings, []);
      assert.equal(pi.icmp?.checksumOk, true);
      const q = pi.icmp?.quote;
      assert.equal(q?.partial, partial);
      assert.equal(q?.tcp?.seq, 99);
      assert.equal(q?.tcp?.options.some((o) => o.type === 'mptcp'), !partial);
    }
    // ICMPv6 quoting an IPv6 segment given as layers: inner checksums first, the ICMPv6 one over them.
    const err6 = serialize([ipv6({ src: 'fd00:9::9', dst: A6 }), icmp({ type: 3 }), ipv6({ src: A6, dst: B6, hopLimit: 1 }), tcp({ srcPort: 1, dstPort: 2, flags: 'S' })]);
    const p6 = decodeCrafted(err6);
    assert.deepEqual(p6.findings, []);
    assert.equal(p6.icmp?.layer, 'icmpv6');
    assert.equal(p6.icmp?.checksumOk, true);
    assert.equal(p6.icmp?.quote?.tcp?.flags, TcpFlag.SYN);
  });

  it('a decoded packet serializes back identically', () => {
    const bytes = tcpSegment({ src: A6, dst: B6, sport: 5, dport: 6, seq: 7, options: [ts(5, 6), nop(), nop(), dss({ dataAck: 9n })], payload: 'abc' });
    const p = decodeCrafted(bytes);
    const again = serialize([p.ip!, p.tcp!, payload(p.data.subarray(p.payloadOffset))]);
    assert.deepEqual(again, bytes);
  });

  it('with checksums off, wrong checksums stay wrong and the decoder says so', () => {
    const spec = { src: A, dst: B, sport: 1, dport: 2, checksum: 0xdead, ip: { checksum: 0xbeef } };
    const p = decodeCrafted(tcpSegment(spec, { checksums: false }));
    assert.equal(p.ip?.layer === 'ip' && p.ip.checksum, 0xbeef);
    assert.equal(p.tcp?.checksum, 0xdead);
    assert.equal(p.ip?.layer === 'ip' && p.ip.checksumOk, false);
    assert.equal(p.tcp?.checksumOk, false);
    assert.ok(p.findings.some((f) => f.code === 'ip.checksum.bad'));
    const fixed = decodeCrafted(tcpSegment(spec));
    assert.equal(fixed.tcp?.checksumOk, true, 'checksums on (the default) computes them over the given values');
  });

  it('with fixLengths off, wrong lengths stay wrong; with it on, they are put right', () => {
    const bad = withLength(mss(1460), 5);
    const spec = { src: A, dst: B, sport: 1, dport: 2, options: [bad, nop(), nop(), nop()], dataOffset: 4, ip: { totalLength: 30 } };
    const raw = tcpSegment(spec, { fixLengths: false });
    assert.equal(raw[20 + 12]! >> 4, 4, 'data offset as given');
    assert.equal((raw[2]! << 8) | raw[3]!, 30, 'total length as given');
    assert.equal(raw[20 + 20 + 1], 5, 'option length byte as given');
    const p = decodeCrafted(raw);
    assert.ok(p.findings.some((f) => f.layer === 'tcp'), 'the short segment and bogus data offset are findings');
    const fixed = decodeCrafted(tcpSegment(spec));
    assert.deepEqual(fixed.findings, []);
    assert.equal(fixed.tcp?.options[0]?.type === 'mss' && fixed.tcp.options[0].mss, 1460);

    const badMptcp = withLength(mpCapable({ senderKey: 1n }), 11);
    const pm = decodeCrafted(tcpSegment({ src: A, dst: B, sport: 1, dport: 2, options: [badMptcp] }, { fixLengths: false }));
    assert.ok(pm.findings.some((f) => f.layer === 'tcp' || f.layer === 'mptcp'), 'an MPTCP option whose length byte lies is a finding');
    const pmFixed = decodeCrafted(tcpSegment({ src: A, dst: B, sport: 1, dport: 2, options: [badMptcp] }));
    assert.deepEqual(pmFixed.findings, []);
    // Exact bytes for options that cannot be built from fields at all.
    const cut = decodeCrafted(tcpSegment({ src: A, dst: B, sport: 1, dport: 2, options: [optionBytes(Uint8Array.of(30, 40, 0)), eol()] }, { fixLengths: false }));
    assert.ok(cut.findings.some((f) => f.code === 'tcp.option.bad_length'));
  });

  it('flag letters', () => {
    assert.equal(tcpFlags('SA'), 0x12);
    assert.equal(tcpFlags('S.'), 0x12);
    assert.equal(tcpFlags('FPA'), 0x19);
    assert.equal(tcpFlags('SEC'), 0xc2);
    assert.equal(tcpFlags('N'), 0x100);
    assert.throws(() => tcpFlags('SX'), /flag letter 'X'/);
  });

  it('mismatched or malformed addresses, checksums without an IP layer: ProbeErrors', () => {
    assert.throws(() => tcpSegment({ src: A, dst: B6, sport: 1, dport: 2 }), /different IP versions/);
    assert.throws(() => serialize([ipv4({ src: A6, dst: B })]), /IPv4 address/);
    assert.throws(() => serialize([tcp({ srcPort: 1, dstPort: 2 })]), /needs an IP layer/);
    assert.doesNotThrow(() => serialize([tcp({ srcPort: 1, dstPort: 2 })], { checksums: false }));
    assert.throws(() => serialize([ethernet(), payload('x')]), /etherType/);
  });
});

describe('crafted captures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-craft-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const SKIP = hasCommand('tshark') ? false : 'tshark not installed: cannot check what it reads';

  it('frames carry times to the nanosecond and the raw-IP link type', () => {
    const f = craftedFrames([new Uint8Array(1), { data: new Uint8Array(2), time: 1_700_000_005.25 }, new Uint8Array(3)], { start: 1_700_000_000, step: 0.001 });
    assert.deepEqual(f.map((x) => [x.number, x.tsSec, x.tsNsec, x.linkType]), [[1, 1_700_000_000, 0, 101], [2, 1_700_000_005, 250_000_000, 101], [3, 1_700_000_005, 251_000_000, 101]]);
  });

  it('tshark reads a crafted pcap and pcapng and sees the MPTCP fields that were set', { skip: SKIP }, () => {
    const auth = { version: 1 as const, senderKey: SERVER_KEY, receiverKey: CLIENT_KEY, senderNonce: 0x11223344, receiverNonce: 0xaabbccdd };
    const packets = [
      tcpSegment({ src: A, dst: B, sport: 40000, dport: 80, flags: 'S', options: [mss(1460), sackPerm(), ts(1, 0), nop(), wscale(7), mpCapable({ flags: 'AH' })] }),
      tcpSegment({ src: B, dst: A, sport: 80, dport: 40000, flags: 'SA', ack: 1, options: [mpCapable({ senderKey: SERVER_KEY })] }),
      tcpSegment({ src: A6, dst: B6, sport: 40001, dport: 80, flags: 'S', options: [mpJoinSyn({ addrId: 5, nonce: 0xaabbccdd, receiverKey: SERVER_KEY })] }),
      tcpSegment({ src: B6, dst: A6, sport: 80, dport: 40001, flags: 'SA', options: [mpJoinSynAck({ addrId: 0, auth })] }),
      tcpSegment({ src: A, dst: B, sport: 40000, dport: 80, options: [addAddr({ addrId: 7, address: '10.7.7.7', port: 8080, auth: { senderKey: CLIENT_KEY, receiverKey: SERVER_KEY } })] }),
      tcpSegment({ src: A, dst: B, sport: 40000, dport: 80, flags: 'RA', options: [mpTcpRst(3)] }),
    ];
    const fields = ['tcp.options.mptcp.subtype', 'tcp.options.mptcp.version', 'tcp.options.mptcp.sendkey', 'tcp.options.mptcp.recvtok',
      'tcp.options.mptcp.addrid', 'tcp.options.mptcp.sendtrunchmac', 'tcp.options.mptcp.ipv4', 'tcp.options.mptcp.port', 'tcp.options.mptcp.rst_reason',
      'tcp.options.mptcp.checksumreq.flags', 'tcp.checksum.status'];
    for (const format of ['pcap', 'pcapng'] as const) {
      const file = join(dir, `crafted.${format}`);
      writeFileSync(file, craftedCapture(packets, { format }));
      const r = spawnSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const rows = r.stdout.trim().split('\n').map((l) => l.split('|'));
      assert.equal(rows.length, packets.length, format);
      const col = (name: string): string[] => rows.map((row) => row[fields.indexOf(name)] ?? '');
      assert.deepEqual(col('tcp.options.mptcp.subtype'), ['0', '0', '1', '1', '3', '8']);
      assert.deepEqual(col('tcp.options.mptcp.version').slice(0, 2), ['1', '1']);
      assert.equal(col('tcp.options.mptcp.checksumreq.flags')[0], '1');
      assert.equal(BigInt(col('tcp.options.mptcp.sendkey')[1]!), SERVER_KEY);
      assert.equal(Number(col('tcp.options.mptcp.recvtok')[2]), keyFacts(SERVER_KEY, 1).token);
      assert.deepEqual(col('tcp.options.mptcp.addrid').slice(2, 5), ['5', '0', '7']);
      assert.equal(col('tcp.options.mptcp.ipv4')[4], '10.7.7.7');
      assert.equal(col('tcp.options.mptcp.port')[4], '8080');
      assert.equal(Number(col('tcp.options.mptcp.rst_reason')[5]), 3);
      const hmac = mpJoinSynAck({ addrId: 0, auth }).mptcp;
      assert.ok(hmac.name === 'MP_JOIN');
      assert.equal(BigInt(col('tcp.options.mptcp.sendtrunchmac')[3]!), hmac.truncatedHmac);
      assert.deepEqual(new Set(col('tcp.checksum.status')), new Set(['1']), 'tshark finds every TCP checksum good');
    }
  });
});
