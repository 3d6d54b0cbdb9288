import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeCrafted, formatTrace, mpCapable, mss, nop, quoteChanges, rawOption, sackPerm, serialize, tcpSegment, trace, ts, wscale, ipv4, icmp, payload,
} from '../../src/probe/index.js';
import type { TraceOptions, TraceResult } from '../../src/probe/index.js';
import { clampMss, SimPath, strip } from './sim-path.js';
import type { ServerStyle, SimRouter } from './sim-path.js';

/**
 * The trace engine against simulated paths: middleboxes that strip or
 * rewrite, routers that quote the whole probe, 8 bytes of it (RFC 792) or an
 * RFC 4884 message, damaged replies, silence, and interruption.
 */

const CLIENT = '10.0.1.1';
const SERVER = '10.0.9.9';

async function run(routers: SimRouter[], server: ServerStyle, extra: Partial<TraceOptions> = {}, serverAddress = SERVER): Promise<{ r: TraceResult; path: SimPath }> {
  const path = new SimPath(routers, server, serverAddress);
  const family6 = serverAddress.includes(':');
  const r = await trace({
    target: serverAddress, port: 443, source: family6 ? 'fd00:1::1' : CLIENT, timeoutMs: 200, maxHops: 6, sourcePort: 40000, ...extra,
  }, path);
  return { r, path };
}

const routers = (n: number, more: Partial<SimRouter>[] = []): SimRouter[] =>
  Array.from({ length: n }, (_, i) => ({ address: `10.0.${i + 2}.1`, ...more[i] }));

describe('trace engine', () => {
  it('a clean path: every router quotes the probe unchanged, the server answers with MP_CAPABLE', async () => {
    const { r, path } = await run(routers(2), 'mptcp');
    assert.deepEqual(r.hops.map((h) => [h.ttl, h.reply, h.address]), [[1, 'time-exceeded', '10.0.2.1'], [2, 'time-exceeded', '10.0.3.1'], [3, 'synack', SERVER]]);
    for (const h of r.hops.slice(0, 2)) {
      assert.deepEqual(h.changes, [], `hop ${h.ttl}: no change`);
      assert.deepEqual(h.findings, []);
      assert.equal(h.quote?.showsOptions, true);
      assert.equal(h.icmp?.name, 'time exceeded in transit');
    }
    assert.equal(r.answer.kind, 'synack');
    assert.equal(r.answer.mpCapable?.version, 1);
    assert.equal(r.answer.ttl, 3);
    assert.equal(r.verdict.code, 'mptcp');
    assert.equal(path.closed, true, 'the transport is closed');
    assert.equal(path.sent.length, 3, 'no probe after the answer');
    // The probes: SYNs with Linux's options, TTL 1, 2, 3, distinct sequence numbers, checksums right.
    const probes = path.sent.map((b) => decodeCrafted(b));
    assert.deepEqual(probes.map((p) => p.ip?.layer === 'ip' && p.ip.ttl), [1, 2, 3]);
    assert.equal(new Set(probes.map((p) => p.tcp!.seq)).size, 3);
    for (const p of probes) {
      assert.equal(p.tcp?.checksumOk, true);
      assert.deepEqual(p.tcp!.options.map((o) => o.type), ['mss', 'sackPerm', 'timestamps', 'nop', 'wscale', 'mptcp']);
    }
    assert.deepEqual(r.probe.options.slice(-1), ['mptcp capable v1']);
  });

  it('a middlebox that strips MP_CAPABLE and clamps the MSS: the next hop shows both, the SYN/ACK lacks MP_CAPABLE', async () => {
    const { r, path } = await run(routers(3, [{ rewrite: (p) => { strip()(p); clampMss(1200)(p); } }]), 'mptcp');
    assert.deepEqual(r.hops[0]!.changes, [], 'the middlebox itself quotes the probe as it arrived');
    const texts = r.hops[1]!.changes.map((c) => c.text);
    assert.deepEqual(texts.sort(), ['MP_CAPABLE stripped', 'MSS 1460 → 1200']);
    assert.ok(r.hops[1]!.changes.every((c) => c.new));
    assert.ok(r.hops[2]!.changes.every((c) => !c.new), 'the same changes at the next hop are not new');
    const stripped = r.hops[1]!.changes.find((c) => c.kind === 'removed')!;
    assert.equal(stripped.field, 'tcp.options.mptcp');
    assert.equal(stripped.sent, 'mptcp capable v1');
    const mssChange = r.hops[1]!.changes.find((c) => c.field === 'tcp.options.mss_val')!;
    assert.deepEqual([mssChange.sent, mssChange.seen], ['1460', '1200']);
    assert.equal(r.answer.kind, 'synack');
    assert.equal(r.answer.mpCapable, undefined);
    assert.equal(r.verdict.code, 'mptcp-stripped');
    assert.match(r.verdict.text, /stripped between hop 1 \(10\.0\.2\.1\) and hop 2 \(10\.0\.3\.1\)/);
    assert.match(r.verdict.text, /MSS 1460 → 1200 at hop 2/);
    const text = formatTrace(r);
    assert.match(text, /^ 2 {2}10\.0\.3\.1 .*2 changes:\n {6}MSS 1460 → 1200\n {6}MP_CAPABLE stripped$/m);
    assert.match(text, /SYN\/ACK \[S\.\] without MP_CAPABLE/);
  });

  it('RFC 792 quotes show ports and sequence numbers only; a shifted sequence number is still matched (by IP ID)', async () => {
    const { r, path } = await run(routers(2, [{ quote: 'rfc792', rewrite: (p) => { p.seq = (p.seq + 1000) >>> 0; strip()(p); } }, { quote: 'rfc792' }]), 'tcp');
    const [h1, h2] = r.hops;
    assert.equal(h1!.quote?.partial, true);
    assert.equal(h1!.quote?.showsOptions, false);
    assert.equal(h1!.quote?.transportBytes, 8);
    assert.deepEqual(h1!.changes, []);
    assert.deepEqual(h2!.changes.map((c) => c.text), [`sequence number ${decodeCrafted(path.sent[1]!).tcp!.seq} → ${(decodeCrafted(path.sent[1]!).tcp!.seq + 1000) >>> 0} (+1000)`]);
    assert.deepEqual(h2!.findings, [], 'matched to its probe by the IP ID, no guessing');
    assert.equal(r.verdict.code, 'no-mptcp', 'the stripping is out of sight of 8-byte quotes');
    assert.match(r.verdict.text, /no quote showed the options/);
    assert.match(formatTrace(r), /8-byte TCP quote \(RFC 792\): options not visible/);
  });

  it('an RFC 4884 message: the quote ends where its length says, extensions ignored', async () => {
    const { r, path } = await run(routers(1, [{ quote: 'rfc4884' }]), 'mptcp');
    assert.equal(r.hops[0]!.quote?.rfc4884, true);
    assert.equal(r.hops[0]!.quote?.showsOptions, true);
    assert.deepEqual(r.hops[0]!.changes, []);
  });

  it('malformed replies become findings: a bad ICMP checksum, a quote without the TCP header', async () => {
    const { r, path } = await run(routers(2, [{ quote: 'bad-checksum' }, { quote: 'ip-only' }]), 'mptcp');
    assert.ok(r.hops[0]!.findings.some((f) => f.code === 'icmp.checksum.bad'));
    assert.equal(r.hops[0]!.reply, 'time-exceeded');
    assert.ok(r.hops[1]!.findings.some((f) => f.code === 'trace.quote.short'));
    assert.equal(r.hops[1]!.address, '10.0.3.1');
    assert.match(formatTrace(r), /! the time exceeded in transit message quotes not even an IP header/);
  });

  it('silent routers and a silent target: each probe times out, the verdict says so', async () => {
    const t0 = performance.now();
    const { r, path } = await run(routers(2, [{ quote: 'silent' }, { quote: 'silent' }]), 'silent', { maxHops: 4, timeoutMs: 60 });
    assert.ok(performance.now() - t0 >= 4 * 60 - 5);
    assert.deepEqual(r.hops.map((h) => h.reply), ['none', 'none', 'none', 'none']);
    assert.equal(r.answer.kind, 'silence');
    assert.equal(r.verdict.code, 'silence');
    assert.match(r.verdict.text, /no answer from 10\.0\.9\.9 port 443 within 4 hops \(each probe waited 0\.06 s\)/);
    assert.match(formatTrace(r), /^ 3 {2}\* {2}no reply$/m);
  });

  it('RST and ICMP unreachable end the trace with their own verdicts', async () => {
    const { r: rst } = await run(routers(1), 'rst');
    assert.equal(rst.answer.kind, 'rst');
    assert.equal(rst.verdict.code, 'rst');
    const { r: blocked } = await run(routers(3, [{}, { quote: 'unreachable' }]), 'mptcp');
    assert.equal(blocked.answer.kind, 'unreachable');
    assert.equal(blocked.answer.address, '10.0.3.1');
    assert.equal(blocked.answer.icmp?.name, 'administratively prohibited');
    assert.equal(blocked.hops.length, 2);
    assert.equal(blocked.verdict.code, 'unreachable');
  });

  it('IPv6: hop limits, ICMPv6 quotes, and a v0 probe against a v1-only server', async () => {
    const v6routers = [{ address: 'fd00:2::1', rewrite: clampMss(1400) }, { address: 'fd00:3::1' }];
    const { r, path } = await run(v6routers, 'mptcp', {}, 'fd00:9::9');
    assert.equal(r.family, 6);
    assert.deepEqual(r.hops.map((h) => h.address), ['fd00:2::1', 'fd00:3::1', 'fd00:9::9']);
    assert.deepEqual(r.hops[1]!.changes.map((c) => c.text), ['MSS 1460 → 1400']);
    assert.equal(r.verdict.code, 'mptcp');
    const { r: v0 } = await run(routers(1), 'mptcp', { version: 0, key: 0x1000000000000000n });
    assert.match(v0.probe.options.at(-1)!, /^mptcp capable v0 csum \{0x1000000000000000\}$/);
    assert.equal(v0.verdict.code, 'no-mptcp');
    assert.match(v0.verdict.text, /does not speak MPTCP v0/);
    const { r: v0ok } = await run(routers(1), 'mptcp-v0', { version: 0 });
    assert.equal(v0ok.answer.mpCapable?.version, 0);
  });

  it('replies the transport holds when a hop\'s time is up (a stalled event loop) are taken, not lost', async () => {
    const path = new SimPath(routers(2), 'mptcp', SERVER);
    path.holdReplies = true;
    const r = await trace({ target: SERVER, port: 443, source: CLIENT, timeoutMs: 30, maxHops: 6, sourcePort: 40000 }, path);
    assert.deepEqual(r.hops.map((h) => [h.ttl, h.reply]), [[1, 'time-exceeded'], [2, 'time-exceeded'], [3, 'synack']]);
    assert.equal(r.verdict.code, 'mptcp');
    assert.equal(path.polls, 3, 'one poll per hop, when its time was up');
  });

  it('an abort signal stops the trace with what it has', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 90);
    const { r, path } = await run(routers(3, [{ quote: 'silent' }, { quote: 'silent' }, { quote: 'silent' }]), 'silent', { signal: ac.signal, timeoutMs: 50 });
    assert.equal(r.answer.kind, 'interrupted');
    assert.equal(r.verdict.code, 'interrupted');
    assert.ok(r.hops.length >= 1 && r.hops.length < 6);
  });

  it('the result is plain JSON (no bigints), with every hop key present', async () => {
    const { r, path } = await run(routers(1), 'mptcp');
    const back = JSON.parse(JSON.stringify(r)) as TraceResult;
    assert.deepEqual(Object.keys(back.hops[0]!), ['ttl', 'reply', 'address', 'rttMs', 'icmp', 'quote', 'changes', 'findings']);
    assert.equal(back.answer.mpCapable?.key, '0x0123456789abcdef');
  });
});

describe('quote comparison', () => {
  const probeBytes = tcpSegment({
    src: CLIENT, dst: SERVER, sport: 1, dport: 2, seq: 100, flags: 'S', window: 64240, ttl: 1,
    options: [mss(1460), sackPerm(), ts(10, 0), nop(), wscale(7), mpCapable()],
  });
  const probe = decodeCrafted(probeBytes);
  const sent = { ip: probe.ip!, tcp: probe.tcp! };
  const quoteOf = (bytes: Uint8Array) => {
    const e = decodeCrafted(serialize([ipv4({ src: '10.0.0.254', dst: CLIENT }), icmp({ type: 11 }), payload(bytes)]));
    return e.icmp!.quote!;
  };
  const changed = (spec: Parameters<typeof tcpSegment>[0]) => quoteChanges(sent, quoteOf(tcpSegment(spec))).map((c) => c.text);
  const base = { src: CLIENT, dst: SERVER, sport: 1, dport: 2, seq: 100, flags: 'S' as const, window: 64240, ttl: 1 };

  it('options rewritten, added, reordered; header fields; IP fields', () => {
    assert.deepEqual(changed({ ...base, options: [mss(1460), sackPerm(), ts(10, 0), nop(), wscale(7), mpCapable({ version: 0, flags: 'AH', senderKey: 5n })] }),
      ['IP total length 64 → 72', 'TCP header length 44 → 52', 'MP_CAPABLE length 4 → 12', 'MP_CAPABLE version 1 → 0', 'MP_CAPABLE flags 0x01 → 0x81', 'MP_CAPABLE sender key none → 0x0000000000000005']);
    assert.deepEqual(changed({ ...base, options: [mss(1460), sackPerm(), ts(99, 0), nop(), wscale(2), mpCapable(), rawOption(253, Uint8Array.of(1, 2))] }),
      ['IP total length 64 → 68', 'TCP header length 44 → 48', 'TSval 10 → 99', 'window scale 7 → 2', 'option 253 added (opt-253:0102)']);
    assert.deepEqual(changed({ ...base, options: [sackPerm(), mss(1460), ts(10, 0), nop(), wscale(7), mpCapable()] }),
      ['option order MSS, SACK permitted, timestamps, window scale, MP_CAPABLE → SACK permitted, MSS, timestamps, window scale, MP_CAPABLE']);
    assert.deepEqual(changed({ ...base, flags: 'SEC', window: 1024, ecn: 3, dscp: 8, df: false, options: sent.tcp.options }),
      ['DSCP 0 → 8', 'ECN Not-ECT → CE', 'DF set → clear', 'TCP flags [S] → [SEW]', 'window 64240 → 1024']);
    assert.deepEqual(changed({ ...base, options: [mss(1460), sackPerm(), ts(10, 0), nop(), wscale(7)] }),
      ['IP total length 64 → 60', 'TCP header length 44 → 40', 'MP_CAPABLE stripped']);
  });

  it('a checksum that changed alone is reported', () => {
    const q = probeBytes.slice();
    q[20 + 16]! ^= 0x01;
    assert.deepEqual(quoteChanges(sent, quoteOf(q)).map((c) => c.field), ['tcp.checksum']);
  });
});
