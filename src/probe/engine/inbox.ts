/**
 * What the peer sent on a connection's subflows, kept in arrival order, and
 * the waits of the steps that expect something of it. A wait looks at what
 * already arrived after a given frame before it listens for more, so an
 * answer that came while a step was still busy is not missed; it may resend
 * the step's packet meanwhile, and ends with StepTimeout.
 */
import { StepTimeout } from './errors.js';
import type { Segment } from './subflow.js';

/** How long steps wait and how often they send. */
export interface Timing {
  /** How long a step waits for its answer; default 2000 ms. */
  timeoutMs: number;
  /** Transmissions of a step's packet within that time (the first and the retransmissions); default 3. */
  tries: number;
  /** How long a step that expects silence listens; default 500 ms. */
  quietMs: number;
}

export const DEFAULT_TIMING: Timing = { timeoutMs: 2000, tries: 3, quietMs: 500 };

export interface WaitOptions {
  /** What is awaited, in words, for the timeout's message. */
  what: string;
  /** Only segments after this frame count. */
  after: number;
  timeoutMs?: number;
  /** Sends the step's packet again; called `tries - 1` times, evenly over the wait; returns the frame. */
  resend?: () => number;
  /** Gets the frames resend() returns. */
  frames?: number[];
}

export class Inbox {
  readonly history: Segment[] = [];
  private readonly waiters = new Set<() => void>();

  /**
   * `explain` may add to a timeout's message what came instead (an ICMP
   * error, say); `poll` takes in what the transport already received, and
   * is called before a wait gives up (see ProbeTransport.poll).
   */
  constructor(
    readonly timing: Timing,
    private readonly explain: (what: string, after: number) => string = (w) => w,
    private readonly poll: () => void = () => {},
  ) {}

  /** Takes a segment in and lets the waits see it. */
  push(s: Segment): void {
    this.history.push(s);
    this.wake();
  }

  /** Lets the waits look again (something besides a segment changed). */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the first non-undefined `match` of a segment after `o.after`; StepTimeout after the timeout. */
  waitFor<T>(match: (s: Segment) => T | undefined, o: WaitOptions): Promise<T> {
    const timeoutMs = o.timeoutMs ?? this.timing.timeoutMs;
    const frames = o.frames ?? [];
    return new Promise<T>((resolve, reject) => {
      let next = 0;
      let done = false;
      const check = (): void => {
        for (; next < this.history.length; next++) {
          const s = this.history[next]!;
          if (s.frame <= o.after) continue;
          const v = match(s);
          if (v !== undefined) {
            finish();
            resolve(v);
            return;
          }
        }
      };
      let resends = 0;
      const retransmit = o.resend
        ? setInterval(() => {
          frames.push(o.resend!());
          if (++resends >= this.timing.tries - 1) clearInterval(retransmit);
        }, Math.max(1, Math.floor(timeoutMs / this.timing.tries)))
        : undefined;
      const timer = setTimeout(() => {
        // Pushing what waits wakes this wait through check() when the answer is among it.
        this.poll();
        if (done) return;
        finish();
        reject(new StepTimeout(this.explain(o.what, o.after), timeoutMs, frames));
      }, timeoutMs);
      const finish = (): void => {
        done = true;
        clearTimeout(timer);
        if (retransmit) clearInterval(retransmit);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Like waitFor, but silence is an answer too: undefined after `ms` (default the quiet time). */
  async maybe<T>(match: (s: Segment) => T | undefined, o: { after: number; ms?: number }): Promise<T | undefined> {
    try {
      return await this.waitFor(match, { what: 'anything', after: o.after, timeoutMs: o.ms ?? this.timing.quietMs });
    } catch (e) {
      if (e instanceof StepTimeout) return undefined;
      throw e;
    }
  }
}
