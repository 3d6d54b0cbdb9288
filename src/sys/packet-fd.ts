import { closeSync } from 'node:fs';
import { UV_READABLE } from './constants.js';
import { FdWatch } from './fd-watch.js';

/**
 * An fd read one packet at a time without blocking (a TUN device, a raw
 * socket): onPacket() drains it each time it turns readable, until close().
 */
export abstract class PacketFd<P> {
  private watch: FdWatch | undefined;
  private drain: (() => void) | undefined;
  private closed = false;

  /** `maxPacket`: the buffer onPacket() reads into; `kind`: the class, as errors name it. */
  protected constructor(
    readonly fd: number,
    private readonly maxPacket: number,
    private readonly kind: string,
  ) {}

  /** One waiting packet read into `buf`, or undefined when none waits. */
  protected abstract next(buf: Uint8Array): P | undefined;

  /** Calls `onPacket` for every packet as it arrives, until close(). */
  onPacket(onPacket: (packet: P) => void): void {
    if (this.watch) throw new Error(`${this.kind}.onPacket: already receiving`);
    const buf = new Uint8Array(this.maxPacket);
    this.drain = () => {
      for (let p = this.next(buf); p && !this.closed; p = this.next(buf)) onPacket(p);
    };
    this.watch = new FdWatch(this.fd, UV_READABLE, this.drain);
  }

  /**
   * Delivers now, to onPacket's callback, what is already waiting. After
   * the event loop stalled, timers run before I/O callbacks: a wait about to
   * time out calls this first, so an answer that came in time still counts.
   */
  poll(): void {
    if (!this.closed) this.drain?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watch?.close();
    closeSync(this.fd);
  }
}
