import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { LinkType, encodePcap, isRawIpLinkType, linkTypeName, linkTypeTcpdumpName } from '../../src/capture/index.js';
import { hasCommand } from '../helpers/shared.js';

const run = promisify(execFile);
const named = Object.values(LinkType);

describe('link types', () => {
  it('names', () => {
    assert.equal(linkTypeName(LinkType.ETHERNET), 'Ethernet');
    assert.equal(linkTypeName(LinkType.LINUX_SLL), 'Linux cooked-mode capture v1');
    assert.equal(linkTypeName(LinkType.LINUX_SLL2), 'Linux cooked-mode capture v2');
    assert.equal(linkTypeName(4242), 'Unknown (4242)');
    assert.equal(linkTypeTcpdumpName(LinkType.ETHERNET), 'EN10MB (Ethernet)');
    assert.equal(linkTypeTcpdumpName(LinkType.LINUX_SLL2), 'LINUX_SLL2 (Linux cooked v2)');
    assert.equal(linkTypeTcpdumpName(147), '147');
    assert.deepEqual(
      [0, 1, 12, 14, 101, 228].map(isRawIpLinkType),
      [false, false, true, true, true, false],
    );
  });

  const withTools = (cmd: string): string | false => (hasCommand(cmd) ? false : `${cmd} not installed: live check skipped`);

  it('linkTypeName matches capinfos for every named type', { skip: withTools('capinfos') }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-lt-'));
    try {
      const files = named.map((lt) => {
        const path = join(dir, `${lt}.pcap`);
        writeFileSync(path, encodePcap([], { linkType: lt }));
        return path;
      });
      const { stdout } = await run('capinfos', ['-E', ...files]);
      const theirs = [...stdout.matchAll(/^File encapsulation:\s+(.*)$/gm)].map((m) => m[1]);
      assert.deepEqual(theirs, named.map(linkTypeName));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('linkTypeTcpdumpName matches tcpdump\'s "link-type" words', { skip: withTools('tcpdump') }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-lt-'));
    try {
      for (const lt of named) {
        const path = join(dir, `${lt}.pcap`);
        writeFileSync(path, encodePcap([], { linkType: lt }));
        // tcpdump exits 1 on types it cannot print (14), after naming it.
        const { stderr } = await run('tcpdump', ['-n', '-r', path]).catch((e: { stderr: string }) => e);
        assert.match(stderr, new RegExp(`link-type ${linkTypeTcpdumpName(lt).replace(/[()]/g, '\\$&')}, snapshot`), `link type ${lt}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
