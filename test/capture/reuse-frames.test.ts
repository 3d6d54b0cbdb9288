/** The capture parser's reuseFrames option: one Frame refilled per frame, the same frames as without it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/types.js';
import { SKIP_NO_SHARED, corpusAndLabCaptures } from '../helpers/shared.js';

function frames(bytes: Uint8Array, reuseFrames: boolean, lazyData = false): { list: Frame[]; objects: Set<Frame> } {
  const list: Frame[] = [];
  const objects = new Set<Frame>();
  readCaptureBytes(bytes, (f) => {
    objects.add(f);
    if (lazyData) {
      // Where the bytes lie, read before the view is made, then the view itself.
      const lies = f.bytes!.slice(f.start!, f.start! + f.capLen!);
      assert.deepEqual(f.data, lies, `#${f.number}: data is bytes[start, start + capLen)`);
    } else {
      assert.equal(f.bytes, undefined, 'frames that are not lazy say nothing of a buffer');
    }
    list.push({ ...f, data: f.data.slice() });
  }, { reuseFrames, lazyData });
  return { list, objects };
}

test('reused frames, with lazy data or not, carry what fresh ones do, pcap and pcapng alike', { skip: SKIP_NO_SHARED }, () => {
  const files = corpusAndLabCaptures();
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    const fresh = frames(bytes, false);
    const reused = frames(bytes, true);
    assert.deepEqual(reused.list, fresh.list, basename(file));
    assert.equal(fresh.objects.size, fresh.list.length, `${basename(file)}: a new Frame each time by default`);
    assert.equal(reused.objects.size, Math.min(1, fresh.list.length), `${basename(file)}: one Frame with reuseFrames`);
    const lazy = frames(bytes, true, true);
    assert.deepEqual(lazy.list, fresh.list, `${basename(file)}: lazy data`);
    assert.equal(lazy.objects.size, Math.min(1, fresh.list.length), `${basename(file)}: one Frame with lazyData`);
  }
});
