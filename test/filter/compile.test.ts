/**
 * Filter semantics over a registry of one field per value type, with values
 * set by hand: literals of every form, Wireshark 4.0's any/all rules for
 * multi-valued fields, sets, slices, functions, bitwise AND, field against
 * field, and the errors the compiler raises before any packet is read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldRegistry } from '../../src/fields/index.js';
import type { FieldContext, FieldResult, FieldType, Scope } from '../../src/fields/index.js';
import { FilterError, compileFilter } from '../../src/filter/index.js';
import type { Packet } from '../../src/wire/types.js';

interface TestContext extends FieldContext {
  values: Record<string, FieldResult>;
}

const FIELDS: Array<[string, FieldType]> = [
  ['x', 'protocol'],
  ['x.label', 'none'],
  ['x.u8', 'uint8'],
  ['x.u16', 'uint16'],
  ['x.u32', 'uint32'],
  ['x.i32', 'int32'],
  ['x.u64', 'uint64'],
  ['x.port', 'uint16'],
  ['x.srcport', 'uint16'],
  ['x.dstport', 'uint16'],
  ['x.flags', 'uint16'],
  ['x.flag', 'bool'],
  ['x.ratio', 'double'],
  ['x.rel', 'reltime'],
  ['x.abs', 'abstime'],
  ['x.v4', 'ipv4'],
  ['x.v4b', 'ipv4'],
  ['x.v6', 'ipv6'],
  ['x.mac', 'ether'],
  ['x.data', 'bytes'],
  ['x.text', 'string'],
  ['x.absent', 'uint16'],
  ['y', 'protocol'],
];

interface Item {
  kind: number;
  vals?: number[];
}

/** A repeated structure read item by item, like TCP options. */
const ITEMS: Scope<Item> = {
  name: 'x.item',
  within: 'x',
  items: (c) => (c as TestContext).values['x.items'] as unknown as Item[] | undefined,
  node: () => 'x.item',
};

function registry(): FieldRegistry {
  const r = new FieldRegistry();
  const d = r.definer('x');
  for (const [name, type] of FIELDS) d.field(name, type, name, (c) => (c as TestContext).values[name]);
  const s = d.scoped(ITEMS);
  s.node('x.item', 'protocol', 'item', () => 'item');
  s.field('x.item.kind', 'uint8', 'kind', (i) => i.kind);
  s.field('x.item.val', 'uint16', 'values', (i) => (i.vals === undefined ? undefined : i.vals));
  return r;
}

const REG = registry();

const bytes = (...b: number[]) => Uint8Array.from(b);
const ascii = (s: string) => new TextEncoder().encode(s);
const v6 = (s: string) => {
  // Test data only: full 8-group form.
  const out = new Uint8Array(16);
  s.split(':').forEach((g, i) => {
    const w = parseInt(g, 16);
    out[2 * i] = w >>> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
};

const VALUES: Record<string, FieldResult> = {
  x: 'X protocol',
  'x.label': true,
  'x.u8': 200,
  'x.u16': 8080,
  'x.u32': 0x80000001,
  'x.i32': -5,
  'x.u64': 11713449205243392242n,
  'x.port': [80, 443],
  'x.srcport': 443,
  'x.dstport': 443,
  'x.flags': 0x012,
  'x.flag': true,
  'x.ratio': 2.25,
  'x.rel': { sec: 1, nsec: 500_000_000 },
  'x.abs': { sec: Date.UTC(2020, 0, 13, 15, 51, 6) / 1000, nsec: 676_845_000 },
  'x.v4': [0x0a000002, 0xc0a80101], // 10.0.0.2, 192.168.1.1
  'x.v4b': 0x0a000002,
  'x.v6': v6('fe80:0:0:0:0:0:0:1'),
  'x.mac': bytes(0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e),
  'x.data': ascii('GET /index.html HTTP/1.1\r\n'),
  'x.text': 'eth:ethertype:ip:tcp:mptcp',
};

function ctx(values: Record<string, FieldResult> = VALUES): TestContext {
  return { packet: { number: 1 } as unknown as Packet, values };
}

function passes(filter: string, values?: Record<string, FieldResult>): boolean {
  return compileFilter(filter, REG).test(ctx(values));
}

function truth(cases: ReadonlyArray<readonly [string, boolean]>, values?: Record<string, FieldResult>): void {
  for (const [filter, expected] of cases) assert.equal(passes(filter, values), expected, filter);
}

function rejects(filter: string, message: RegExp, at?: string, registryOverride: FieldRegistry = REG): FilterError {
  try {
    compileFilter(filter, registryOverride);
  } catch (e) {
    assert.ok(e instanceof FilterError, `${filter}: ${String(e)}`);
    assert.match(e.message, message, filter);
    if (at !== undefined) assert.equal(filter.slice(e.position, e.position + e.length), at, `${filter}: span of ${e.message}`);
    return e;
  }
  assert.fail(`${filter}: compiled`);
}

describe('filter semantics', () => {
  it('tests presence of protocols, labels and fields of any value', () => {
    truth([
      ['x', true], ['x.label', true], ['x.flag', true], ['x.absent', false], ['y', false],
      ['!x.absent', true], ['not x', false], ['x and x.u8', true], ['x.absent or x.u8', true],
    ]);
    assert.equal(passes('x.flag', { 'x.flag': false }), true, 'a false boolean is present');
    assert.equal(passes('x.port', { 'x.port': [] }), false, 'an empty occurrence list is absence');
  });

  it('matches any occurrence, and != only when none is equal (Wireshark 4.0)', () => {
    truth([
      ['x.port == 80', true], ['x.port == 443', true], ['x.port == 22', false],
      ['x.port != 80', false], ['x.port != 22', true], ['x.port ne 80', false], ['x.port all_ne 22', true],
      ['x.port ~= 80', true], ['x.port !== 80', true], ['x.port any_ne 80', true], ['any x.port != 80', true],
      ['x.port === 80', false], ['x.port all_eq 80', false], ['all x.port > 10', true], ['all x.port > 100', false],
      ['x.port > 442', true], ['x.port lt 81', true], ['x.port ge 444', false],
      ['x.port in {443}', true], ['x.port not in {443}', false], ['x.port not in {22, 23}', true],
    ]);
    assert.equal(passes('x.port === 80', { 'x.port': [80, 80] }), true);
    // Every comparison implies the field exists; "not" of one does not.
    truth([
      ['x.absent != 80', false], ['x.absent ~= 80', false], ['x.absent === 80', false], ['all x.absent > 1', false],
      ['not x.absent == 80', true], ['x.absent not in {80}', true], ['x.absent in {80}', false],
    ]);
  });

  it('reads integers in decimal, hex, octal, binary and as characters, within the field type', () => {
    truth([
      ['x.u16 == 8080', true], ['x.u16 == 0x1f90', true], ['x.u16 == 0X1F90', true], ['x.u16 == 017620', true],
      ['x.u16 == 0b1111110010000', true], ['x.u8 == 0310', true], ['x.u8 == \'\\310\'', true], ['x.u8 == \'\\xc8\'', true],
      ['x.port == \'P\'', true], ['x.u32 == 2147483649', true], ['x.u32 > 0x7fffffff', true],
      ['x.i32 == -5', true], ['x.i32 < 0', true], ['x.i32 > -0x10', true], ['x.u8 == 0', false],
    ]);
    rejects('x.u8 == 256', /"256" too big for this field, maximum 255/, '256');
    rejects('x.u16 in {1, 0x10000}', /"0x10000" too big for this field, maximum 65535/, '0x10000');
    rejects('x.u32 > 4294967296', /maximum 4294967295/);
    rejects('x.u16 > -1', /"-1" is negative, but x.u16 is unsigned/, '-1');
    rejects('x.i32 == -2147483649', /too small for this field, minimum -2147483648/);
    rejects('x.u16 == 09', /"09" is not a valid number/, '09');
    rejects('x.u16 == 1.5', /"1.5" is not a valid number/);
    rejects('x.u16 == "80"', /Unsigned integer \(2 bytes\) cannot be converted from a string \("80"\)/, '"80"');
  });

  it('compares 64-bit values exactly', () => {
    truth([
      ['x.u64 == 11713449205243392242', true], ['x.u64 == 11713449205243392243', false], ['x.u64 == 11713449205243392241', false],
      ['x.u64 > 0x7fffffffffffffff', true], ['x.u64 < 0xffffffffffffffff', true], ['x.u64 == 0xa28e3c3e1c2a5e72', false],
      ['x.u64 in {11713449205243392240..11713449205243392242}', true], ['x.u64 & 1 == 0', true], ['x.u64 & 2', true],
    ]);
    assert.equal(passes('x.u64 == 7', { 'x.u64': 7 }), true, 'a plain number in a 64-bit field');
    rejects('x.u64 == 18446744073709551616', /causes an integer overflow/);
  });

  it('reads booleans as True/False or numbers, non-zero meaning true', () => {
    truth([
      ['x.flag == 1', true], ['x.flag == True', true], ['x.flag == TRUE', true], ['x.flag == true', true], ['x.flag == 5', true],
      ['x.flag == 0', false], ['x.flag == False', false], ['x.flag != 0', true], ['x.flag > 0', true], ['x.flag & 1', true],
    ]);
    rejects('x.flag == yes', /"yes" cannot be found among the possible values for x.flag/, 'yes');
  });

  it('compares floating-point numbers and times, exact to the nanosecond', () => {
    truth([
      ['x.ratio == 2.25', true], ['x.ratio > 2', true], ['x.ratio < 2.2501', true], ['x.ratio == 225e-2', true],
      ['x.rel == 1.5', true], ['x.rel > 1.499999999', true], ['x.rel > 1.5', false], ['x.rel >= 1.500000000', true],
      ['x.rel < 2', true], ['x.rel > -1', true], ['x.rel in {1..2}', true], ['x.rel == 1.5000000001', true],
    ]);
    truth([['x.rel < -0.25', true], ['x.rel == -0.5', true], ['x.rel > -0.5', false]], { 'x.rel': { sec: -1, nsec: 500_000_000 } });
    rejects('x.rel > 0x10', /"0x10" is not a valid time/);
    rejects('x.rel > "1"', /Time offset cannot be converted from a string/);
    rejects('x.ratio > abc', /not a valid floating-point number/);
  });

  it('reads dates and times in ISO 8601 and Wireshark\'s own form, local unless a zone is given', () => {
    truth([
      ['x.abs >= "2020-01-13T15:51:06Z"', true], ['x.abs >= "2020-01-13 15:51:06.676845 UTC"', true],
      ['x.abs > "2020-01-13 15:51:06.676845001Z"', false], ['x.abs == "2020-01-13T15:51:06.676845Z"', true],
      ['x.abs < "2020-01-13T17:51:06+02:00"', false], ['x.abs < "2020-01-13T17:51:07+0200"', true],
      ['x.abs >= "Jan 13, 2020 15:51:06 UTC"', true], ['x.abs < "Jan 13, 2020 15:51:06 UTC"', false],
      ['x.abs > "2020-01-13Z"', true], ['x.abs < "2020-01-14Z"', true],
    ]);
    const local = new Date(2020, 0, 13, 15, 51, 6).getTime() / 1000;
    assert.equal(passes('x.abs == "2020-01-13 15:51:06"', { 'x.abs': { sec: local, nsec: 0 } }), true, 'local time without a zone');
    rejects('x.abs > "2020-02-30 00:00:00"', /is not a valid date and time/);
    rejects('x.abs > "yesterday"', /is not a valid date and time/);
  });

  it('compares IPv4 addresses, with CIDR prefixes and ranges', () => {
    truth([
      ['x.v4 == 10.0.0.2', true], ['x.v4 == 192.168.1.1', true], ['x.v4 == 10.0.0.3', false],
      ['x.v4 == 10.0.0.0/8', true], ['x.v4 == 10.0.0.0/30', true], ['x.v4 == 10.0.0.0/31', false], ['x.v4 == 10.0.0.0/32', false], ['x.v4 == 1.2.3.4/0', true],
      ['x.v4 != 10.0.0.2', false], ['x.v4b != 10.0.0.3', true], ['x.v4 in {10.0.0.1..10.0.0.9}', true],
      ['x.v4 in {172.16.0.0/12, 192.168.0.0/16}', true], ['x.v4b > 9.255.255.255', true], ['x.v4b < 10.0.0.2', false],
      ['x.v4b > 10.0.0.0/8', false], ['x.v4b < 10.0.0.0/8', false], ['x.v4b >= 10.0.0.0/8', true],
      ['x.v4b == 10.0.0.2/32', true], ['x.v4b[0] == 0a', true], ['x.v4b[3] == 02', true], ['len(x.v4b) == 4', true],
    ]);
    rejects('x.v4 == 300.1.1.1', /"300.1.1.1" is not a valid IPv4 address/, '300.1.1.1');
    rejects('x.v4 == 10/8', /"10" is not a valid IPv4 address/, '10');
    rejects('x.v4 == 10.0.0.1/33', /should be <= 32, not 33/, '10.0.0.1/33');
    rejects('x.v4 == localhost', /not a valid IPv4 address/);
    assert.match(rejects('x.v4 == localhost', /./).hint ?? '', /does not resolve host names/);
  });

  it('compares IPv6 addresses with prefixes', () => {
    truth([
      ['x.v6 == fe80::1', true], ['x.v6 == fe80:0:0:0:0:0:0:1', true], ['x.v6 == fe80::/10', true], ['x.v6 == fe80::/127', true],
      ['x.v6 == fe80::2/128', false], ['x.v6 == ::1', false], ['x.v6 == 2001:db8::/32', false], ['x.v6 > fe7f::', true],
      ['x.v6 in {fe80::..fe80::ff}', true], ['x.v6[0:2] == fe:80', true],
    ]);
    assert.equal(passes('x.v6 == ::ffff:10.0.0.1', { 'x.v6': v6('0:0:0:0:0:ffff:a00:1') }), true);
    rejects('x.v6 == fe80::/129', /should be <= 128, not 129/);
    rejects('x.v6 == fe80:::1', /not a valid IPv6 address/);
    rejects('x.v6 contains 00', /cannot participate in contains comparison/, 'x.v6');
  });

  it('compares MAC addresses and byte strings in every spelling', () => {
    truth([
      ['x.mac == 00:1b:21:3c:4d:5e', true], ['x.mac == 00-1b-21-3c-4d-5e', true], ['x.mac == 001b213c4d5e', true],
      ['x.mac == 001b.213c.4d5e', true], ['x.mac == 00:1B:21:3C:4D:5E', true], ['x.mac eq 00:1b:21:3c:4d:5f', false],
      ['x.mac contains 00:1b', true], ['x.mac contains 3c4d', true], ['x.mac contains 5e:00', false], ['x.mac contains 0x21', true],
      ['x.mac[0:3] == 00:1b:21', true], ['x.mac[-1] == 5e', true], ['x.mac[3-5] == 3c:4d:5e', true], ['x.mac > 00:1b:21:00:00:00', true],
      ['x.mac[0] & 0x01', false], ['x.mac[0:2] & 00:ff == 00:1b', true],
    ]);
    rejects('x.mac == 00:11', /"00:11" contains too few bytes to be a valid Ethernet address/);
    rejects('x.mac == 00:11:22:33:44:55:66', /too many bytes/);
  });

  it('searches bytes with contains, matches and slices', () => {
    truth([
      ['x.data contains "GET"', true], ['x.data contains 47:45:54', true], ['x.data contains 47.45.54', true],
      ['x.data contains 474554', true], ['x.data contains 0x47', true], ['x.data contains \'G\'', true], ['x.data contains "POST"', false],
      ['x.data contains "\\r\\n"', true], ['x.data contains "\\x48TTP"', true], ['x.data contains "\\110TTP"', true],
      ['x.data matches "^get /"', true], ['x.data matches "(?-i)^get"', false], ['x.data matches "http/1\\\\.[01]\\r\\n$"', true],
      ['x.data[0:3] == "GET"', true], ['x.data[0:3] == 47:45:54', true], ['x.data[:3] == "GET"', true], ['x.data[0] == 47', true],
      ['x.data[0] == 0x47', true], ['x.data[-2:] == 0d:0a', true], ['x.data[-2--1] == 0d0a', true],
      ['x.data[0,4] == "G/"', true], ['x.data[100:]', false], ['x.data[0:100]', false], ['x.data[25:]', true], ['x.data[26:]', false],
      ['len(x.data) == 26', true], ['x.data > "GES"', true], ['x.data == "GET"', false],
    ]);
  });

  it('compares strings, quoted or not, with functions of them', () => {
    truth([
      ['x.text == "eth:ethertype:ip:tcp:mptcp"', true], ['x.text contains "tcp:mptcp"', true], ['x.text contains mptcp', true],
      ['x.text matches "MPTCP$"', true], ['x.text matches "(?-i)MPTCP$"', false], ['x.text matches "^eth:.*:ip:"', true],
      ['x.text ~ "ip:(tcp|udp)"', true], ['x.text > "eth"', true], ['x.text[0:3] == "eth"', true], ['x.text[0:3] == 65:74:68', true],
      ['upper(x.text) contains "MPTCP"', true], ['lower(x.text) == "eth:ethertype:ip:tcp:mptcp"', true],
      ['len(x.text) == 26', true], ['string(x.u16) == "8080"', true], ['string(x.v4b) == "10.0.0.2"', true],
      ['string(x.u16) matches "^80"', true], ['x.text in {"a", "eth:ethertype:ip:tcp:mptcp"}', true],
      ['x.text == r"eth:ethertype:ip:tcp:mptcp"', true],
    ]);
    assert.equal(passes('len(x.text) == 4', { 'x.text': '\u00b7A' }), false, 'len() counts UTF-8 bytes: 3');
    assert.equal(passes('len(x.text) == 3', { 'x.text': '\u00b7A' }), true);
    rejects('x.text matches abc', /"matches" needs a regular expression in double quotes/, 'abc');
    rejects('x.text matches "[a"', /Regex compilation error/, '"[a"');
    rejects('x.text matches "a++"', /possessive quantifiers/);
  });

  it('counts occurrences and masks bits', () => {
    truth([
      ['count(x.port) == 2', true], ['count(x.v4b) == 1', true], ['count(x.absent) == 0', false], ['count(x) == 1', true],
      ['x.flags & 0x02', true], ['x.flags & 0x04', false], ['x.flags & 0x12 == 0x12', true], ['x.flags bitwise_and 0x10 == 0x10', true],
      ['x.u32 & 0x80000000 == 0x80000000', true], ['x.u32 & 0x80000000 > 0', true], ['x.i32 & 0xff == 0xfb', true], ['x.i32 & 1 == 1', true],
      ['not x.flags & 0x04', true],
    ]);
    rejects('x.flags & x.u8', /mask of a bitwise AND must be a constant/);
    rejects('x.text & 1', /cannot be masked/);
    rejects('min(x.u8, x.u16) > 1', /Function 'min' is not supported/, 'min');
    rejects('len(x.u8) > 1', /cannot be measured by len/);
    rejects('len(x.u8, x.u16) > 1', /takes exactly one argument/);
  });

  it('compares field against field, and reads a literal on the left', () => {
    truth([
      ['x.srcport == x.dstport', true], ['x.srcport != x.dstport', false], ['x.port == x.srcport', true], ['x.port === x.srcport', false],
      ['x.u8 < x.u16', true], ['x.flag == x.flag', true], ['x.v4 == x.v4b', true], ['x.absent == x.u8', false],
      ['80 == x.port', true], ['8081 > x.u16', true], ['8080 < x.u16', false], ['10.0.0.0/8 == x.v4b', true],
    ]);
    rejects('x.text == x.u8', /x.text and x.u8 are not of compatible types/, 'x.u8');
  });

  it('says what cannot be compared and where', () => {
    rejects('x == 1', /x is a Protocol: it can be tested for presence, not compared/, 'x');
    rejects('x.label == 1', /Label/, 'x.label');
    rejects('x.u16 contains 80', /x.u16 \(type=Unsigned integer \(2 bytes\)\) cannot participate in contains comparison/, 'x.u16');
    rejects('x.u16 matches "8"', /cannot participate in matches comparison/, 'x.u16');
    rejects('x.u16[0] == 1', /"x.u16" is a Unsigned integer \(2 bytes\) and cannot be sliced/, 'x.u16');
    rejects('x.text == x', /not of compatible types/, 'x');
    rejects('x.port in {80, x.u16}', /Set elements must be constant values/, 'x.u16');
    rejects('"abc"', /"abc" is neither a field nor a protocol name/, '"abc"');
    rejects('1 == 1', /"1" is not a valid protocol or field name/, '1');
  });

  it('suggests the nearest field names for an unknown one', () => {
    const e = rejects('x.prot == 1', /"x.prot" is not a valid protocol or field name/, 'x.prot');
    assert.match(e.hint ?? '', /Did you mean: x\.port/);
    const rhs = rejects('x.port == x.srcprot', /"x.srcprot" is not a valid number/, 'x.srcprot');
    assert.match(rhs.hint ?? '', /not a field name either.*x\.srcport/);
    assert.match(rejects('X.U8', /not a valid protocol or field name/).hint ?? '', /x\.u8/);
  });

  it('reads fields defined per item of a repeated structure, item by item', () => {
    const values = { ...VALUES, 'x.items': [{ kind: 1 }, { kind: 2, vals: [10, 20] }, { kind: 3, vals: [] }, { kind: 2, vals: [30] }] } as unknown as Record<string, FieldResult>;
    truth([
      ['x.item', true], ['x.item.kind == 3', true], ['x.item.kind == 4', false], ['x.item.kind != 4', true], ['x.item.kind != 1', false],
      ['x.item.val == 30', true], ['x.item.val === 30', false], ['all x.item.val >= 10', true], ['all x.item.val > 10', false],
      ['x.item.val ~= 10', true], ['x.item.kind in {2..3}', true], ['x.item.kind not in {1, 2, 3}', false],
      ['count(x.item.kind) == 4', true], ['count(x.item.val) == 3', true], ['x.item.val > x.item.kind', true],
    ], values);
    truth([['x.item', false], ['x.item.kind != 1', false], ['all x.item.val > 0', false], ['x.item.kind not in {1}', true]], { 'x.items': [] });
    truth([['x.item.val', false], ['all x.item.val > 0', false], ['x.item.kind == 1', true]], { 'x.items': [{ kind: 1 }, { kind: 1, vals: [] }] } as unknown as Record<string, FieldResult>);
    truth([['x.item', false], ['x.item.kind != 1', false]], {});
  });

  it('lists the fields a filter reads', () => {
    assert.deepEqual(compileFilter('x.u8 > 1 and (x.port in {80} or not x.u8) and len(x.data) > 2', REG).fields, ['x.u8', 'x.port', 'x.data']);
    assert.deepEqual(compileFilter('x.srcport == x.dstport', REG).fields, ['x.srcport', 'x.dstport']);
  });

  it('renders errors with a caret under the offending place', () => {
    const text = 'x.port == 1 and x.prot';
    const e = rejects(text, /x.prot/);
    assert.equal(
      e.render(text),
      ['"x.prot" is not a valid protocol or field name.', '    x.port == 1 and x.prot', '                    ^~~~~~'].join('\n'),
    );
    const end = rejects('x.port ==', /Unexpected end/);
    assert.equal(end.render('x.port =='), 'Unexpected end of filter expression.\n    x.port ==\n             ^');
    const tab = rejects('x.port\t== 1)', /unexpected/);
    assert.equal(tab.render('x.port\t== 1)').split('\n')[2], '               ^');
  });
});
