/** Value spelling and the -T fields / JSON / NDJSON writers, without tshark. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absTimeText, formatValue, ipv6Text, timeDiff, timeText } from '../../src/fields/index.js';
import { FieldsWriter, parseFieldsOptions } from '../../src/present/fields-out.js';
import { JsonWriter } from '../../src/present/json.js';
import type { JsonPacket } from '../../src/present/json.js';
import { UsageError } from '../../src/util/errors.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';
import { SYNTHETIC, hex, syntheticFrames } from './synthetic.js';

const packets = (): Packet[] => syntheticFrames().map((f) => decodePacket(f));
const index = (why: string): number => SYNTHETIC.findIndex((s) => s.why === why);
const packet = (why: string): Packet => packets()[index(why)]!;

function fieldsOutput(names: string[], e: string[], ps: Packet[]): string {
  let out = '';
  const w = new FieldsWriter((s) => (out += s), names, parseFieldsOptions(e));
  for (const p of ps) w.write(p);
  w.end();
  return out;
}

describe('value spelling', () => {
  it('pads hex to the type width, writes booleans as 1/0 and bytes bare or colon-separated', () => {
    assert.equal(formatValue(0x18, 'uint16', 'hex'), '0x0018');
    assert.equal(formatValue(2, 'uint8', 'hex'), '0x02');
    assert.equal(formatValue(0, 'uint32', 'hex'), '0x00000000');
    assert.equal(formatValue(0xad7f, 'uint16', 'hex_dec'), '0xad7f');
    assert.equal(formatValue(7, 'uint16', 'dec_hex'), '7');
    assert.equal(formatValue(18446744073709551615n, 'uint64', 'dec'), '18446744073709551615');
    assert.equal(formatValue(true, 'bool', 'dec'), '1');
    assert.equal(formatValue(false, 'bool', 'dec'), '0');
    assert.equal(formatValue(0x0a000001, 'ipv4', 'dec'), '10.0.0.1');
    assert.equal(formatValue(hex('0204 05b4'), 'bytes', 'dec'), '020405b4');
    assert.equal(formatValue(hex('0204 05b4'), 'bytes', 'dec', 'colon'), '02:04:05:b4');
    assert.equal(formatValue(hex('02 00 00 00 00 0a'), 'ether', 'dec'), '02:00:00:00:00:0a');
  });

  it('writes IPv6 addresses as RFC 5952 text, with dotted quads where inet_ntop puts them', () => {
    const cases: Array<[string, string]> = [
      ['00000000000000000000000000000000', '::'],
      ['00000000000000000000000000000001', '::1'],
      ['20010db8000000000000000000000001', '2001:db8::1'],
      ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
      ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
      ['fe800000000000000000000000000000', 'fe80::'],
      ['20010db8000100020003000400050006', '2001:db8:1:2:3:4:5:6'],
      ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
      ['00000000000000000000ffff0a000001', '::ffff:10.0.0.1'],
      ['0000000000000000000000000a000002', '::10.0.0.2'],
    ];
    for (const [h, t] of cases) assert.equal(ipv6Text(hex(h)), t, h);
  });

  it('writes times with nine decimals, negative spans included', () => {
    assert.equal(timeText({ sec: 1578930666, nsec: 676845000 }), '1578930666.676845000');
    assert.equal(timeText(timeDiff({ sec: 10, nsec: 5 }, { sec: 10, nsec: 123_000_005 })), '-0.123000000');
    assert.equal(timeText(timeDiff({ sec: 9, nsec: 0 }, { sec: 10, nsec: 0 })), '-1.000000000');
    if (new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date(0)).find((p) => p.type === 'timeZoneName')?.value === 'UTC') {
      assert.equal(absTimeText({ sec: 1601550140, nsec: 402400000 }), 'Oct  1, 2020 11:02:20.402400000 UTC');
    }
  });
});

describe('-T fields', () => {
  const two = () => [packet('two MPTCP options: DSS then ADD_ADDR echo'), packet('REMOVE_ADDR of three ids')];

  it('joins occurrences with the aggregator and fields with the separator, like tshark', () => {
    const names = ['frame.number', 'tcp.options.mptcp.subtype', 'ip.addr', 'udp.port'];
    const [a, b] = [index('two MPTCP options: DSS then ADD_ADDR echo') + 1, index('REMOVE_ADDR of three ids') + 1];
    assert.equal(fieldsOutput(names, [], two()), `${a}\t2,3\t10.0.0.1,10.0.0.2\t\n${b}\t4\t10.0.0.1,10.0.0.2\t\n`);
    assert.equal(fieldsOutput(names, ['separator=/s', 'aggregator=/s'], two()).split('\n')[0], `${a} 2 3 10.0.0.1 10.0.0.2 `);
    // tshark keeps only the first character of a separator or aggregator.
    assert.equal(fieldsOutput(names, ['separator=ab', 'aggregator=XY'], two()).split('\n')[0], `${a}a2X3a10.0.0.1X10.0.0.2a`);
  });

  it('picks the first or last occurrence', () => {
    assert.equal(fieldsOutput(['tcp.options.mptcp.addrid'], ['occurrence=f'], [two()[1]!]), '1\n');
    assert.equal(fieldsOutput(['tcp.options.mptcp.addrid'], ['occurrence=l'], [two()[1]!]), '3\n');
  });

  it('quotes non-empty values, writes a header and a byte order mark', () => {
    const n = index('two MPTCP options: DSS then ADD_ADDR echo') + 1;
    const out = fieldsOutput(['frame.number', 'udp.srcport'], ['header=y', 'quote=d', 'bom=y'], [two()[0]!]);
    assert.equal(out, `\ufeffframe.number\tudp.srcport\n"${n}"\t\n`);
    assert.equal(fieldsOutput(['frame.number'], ['quote=s'], [two()[0]!]), `'${n}'\n`);
    assert.equal(fieldsOutput(['frame.number'], ['header=y'], []), 'frame.number\n');
  });

  it('rejects unknown fields with a hint, and bad -E options', () => {
    assert.throws(() => new FieldsWriter(() => {}, ['frame.number', 'tcp.srcprt']), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /tcp\.srcprt/);
      assert.match(e.hint ?? '', /tcp\.srcport/);
      return true;
    });
    for (const bad of ['header=x', 'quote=q', 'occurrence=2', 'escape=y', 'separator=']) {
      assert.throws(() => parseFieldsOptions([bad]), UsageError, bad);
    }
  });

  it('counts skipped packets in frame.time_delta but not in frame.time_delta_displayed', () => {
    let out = '';
    const w = new FieldsWriter((s) => (out += s), ['frame.time_delta', 'frame.time_delta_displayed', 'frame.time_relative']);
    const ps = packets();
    w.write(ps[0]!);
    w.skip(ps[1]!);
    w.write(ps[2]!);
    assert.equal(out, '0.000000000\t0.000000000\t0.000000000\n1.000000000\t2.000000000\t2.000000000\n');
  });
});

describe('-T json and -T ndjson', () => {
  function json(ps: Packet[], ndjson = false): string {
    let out = '';
    const w = new JsonWriter((s) => (out += s), { ndjson });
    for (const p of ps) w.write(p);
    w.end();
    return out;
  }

  it('streams an indented array like tshark, empty included', () => {
    assert.equal(json([]), '[]\n');
    const text = json(packets().slice(0, 2));
    assert.ok(text.startsWith('[\n  {\n    "_index": "packets-'), text.slice(0, 40));
    assert.ok(text.endsWith('\n  }\n]\n'));
    assert.match(text, /\n {2}},\n {2}\{\n/);
    assert.equal((JSON.parse(text) as unknown[]).length, 2);
  });

  it('writes one compact object per line for NDJSON', () => {
    const lines = json(packets().slice(0, 3), true).trimEnd().split('\n');
    assert.equal(lines.length, 3);
    const first = JSON.parse(lines[0]!) as JsonPacket;
    assert.equal(first._type, 'doc');
    assert.equal((first._source.layers.frame as Record<string, string>)['frame.number'], '1');
  });

  it('groups option fields under their option, repeated keys as arrays, quoted headers inside icmp', () => {
    const [el] = JSON.parse(json([packet('two MPTCP options: DSS then ADD_ADDR echo')])) as JsonPacket[];
    const tcp = el!._source.layers.tcp as Record<string, any>;
    const opts = tcp['tcp.options_tree'];
    assert.equal(opts['mptcp'].length, 2);
    assert.equal(opts['mptcp'][0]['tcp.options.mptcp.subtype'], '2');
    assert.equal(opts['mptcp'][0]['tcp.options.mptcp.flags_tree']['tcp.options.mptcp.dataackpresent.flag'], '1');
    assert.equal(opts['mptcp'][1]['tcp.options.mptcp.ipv4'], '10.0.0.9');
    assert.deepEqual(tcp['tcp.port'], [tcp['tcp.srcport'], '5201']);
    const [icmp] = JSON.parse(json([packet('ICMP fragmentation needed quoting TCP')])) as JsonPacket[];
    const layers = icmp!._source.layers as Record<string, any>;
    assert.equal(layers.icmp.ip['ip.len'], '40');
    assert.equal(layers.icmp.tcp['tcp.srcport'], '40000');
    assert.equal(layers.tcp, undefined);
  });
});
