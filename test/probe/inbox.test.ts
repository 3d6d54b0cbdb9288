import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StepTimeout } from '../../src/probe/engine/errors.js';
import { Inbox } from '../../src/probe/engine/inbox.js';
import type { Segment } from '../../src/probe/engine/subflow.js';

const TIMING = { timeoutMs: 40, tries: 1, quietMs: 20 };

/** Only the frame number matters to the inbox; the matchers below read nothing else. */
function segment(frame: number): Segment {
  return { frame } as Segment;
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('probe inbox', () => {
  it('an answer that came before the wait began counts, one before `after` does not', async () => {
    const inbox = new Inbox(TIMING);
    inbox.push(segment(3));
    inbox.push(segment(7));
    const got = await inbox.waitFor((s) => (s.frame > 0 ? s.frame : undefined), { what: 'anything', after: 5 });
    assert.equal(got, 7);
  });

  it('nothing matching: StepTimeout naming what was awaited and the frames sent', async () => {
    const inbox = new Inbox(TIMING, (what) => `${what} (explained)`);
    inbox.push(segment(9));
    await assert.rejects(
      inbox.waitFor((s) => (s.frame === 10 ? s : undefined), { what: 'frame 10', after: 0, frames: [4] }),
      (e: unknown) => e instanceof StepTimeout && e.what === 'frame 10 (explained)' && e.frames.join() === '4' && e.waitedMs === 40,
    );
  });

  it('a stalled event loop: the answer waiting in the transport when the timer fires is taken, not timed out', async () => {
    // The transport's queue: what the kernel holds that no I/O callback has delivered yet.
    const pending: Segment[] = [];
    let polls = 0;
    const inbox = new Inbox(TIMING, (w) => w, () => {
      polls++;
      for (const s of pending.splice(0)) inbox.push(s);
    });
    const wait = inbox.waitFor((s) => (s.frame === 2 ? s.frame : undefined), { what: 'frame 2', after: 1 });
    // The answer arrives while the loop is blocked past the timeout: its timer is due before any I/O runs.
    pending.push(segment(2));
    busyWait(TIMING.timeoutMs + 30);
    assert.equal(await wait, 2);
    assert.equal(polls, 1);
  });

  it('the poll before giving up finds nothing: still a timeout', async () => {
    let polls = 0;
    const inbox = new Inbox(TIMING, (w) => w, () => { polls++; });
    await assert.rejects(inbox.waitFor(() => undefined, { what: 'nothing', after: 0 }), StepTimeout);
    assert.equal(polls, 1);
  });
});
