import { native } from './native.js';
import type { WatchHandle } from './native.js';
import { check } from './errors.js';

/**
 * Calls `onReady` on the event loop whenever `fd` is ready for `events`
 * (UV_READABLE / UV_WRITABLE), until close(). For fds Node cannot wrap:
 * raw sockets and TUN devices.
 */
export class FdWatch {
  private handle: WatchHandle | undefined;

  constructor(fd: number, events: number, onReady: (events: number) => void, onError?: (errno: number) => void) {
    const h = native().watch(fd, events, (status, ready) => {
      if (status < 0) {
        if (onError) onError(-status);
        else this.close();
        return;
      }
      onReady(ready);
    });
    if (typeof h === 'number') check(h, 'uv_poll_start', `watching fd ${fd}`);
    else this.handle = h;
  }

  get active(): boolean {
    return this.handle !== undefined;
  }

  close(): void {
    if (this.handle === undefined) return;
    native().unwatch(this.handle);
    this.handle = undefined;
  }
}
