import { writeSync } from 'node:fs';

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Buffered standard output. Formatters produce many short lines; encoding
 * them straight into one large buffer (no joining, no intermediate Buffers)
 * and writing it in big blocks is what makes `> /dev/null` runs fast. A closed
 * pipe (`| head`) ends output quietly instead of raising EPIPE.
 */
export class Output {
  private readonly buf: Buffer;
  private pos = 0;
  /** Short writes are joined as a string first (cheap rope concatenation), then encoded in one call. */
  private pending = '';
  closed = false;

  constructor(private readonly fd = 1, size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  write(s: string): void {
    this.pending += s;
    if (this.pending.length >= 16384) this.encodePending();
  }

  line(s: string): void {
    this.pending += s + '\n';
    if (this.pending.length >= 16384) this.encodePending();
  }

  /** Bytes a formatter already encoded (ASCII lines): copied into the buffer in order with the strings. */
  bytes(b: Uint8Array): void {
    if (this.pending.length > 0) this.encodePending();
    if (this.closed) return;
    // A block as large as half the buffer, with nothing gathered before it, goes out as it is: copying it would gain no fewer writes.
    if (this.pos === 0 && b.length >= this.buf.length >> 1) {
      this.writeAll(b);
      return;
    }
    if (this.pos + b.length > this.buf.length) {
      this.flushBuffer();
      if (b.length > this.buf.length) {
        this.writeAll(b);
        return;
      }
    }
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private encodePending(): void {
    const s = this.pending;
    this.pending = '';
    if (this.closed) return;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (this.pos + s.length * 3 > this.buf.length) {
      this.flushBuffer();
      if (s.length * 3 > this.buf.length) {
        this.writeAll(Buffer.from(s, 'utf8'));
        return;
      }
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  flush(): void {
    this.encodePending();
    this.flushBuffer();
  }

  private flushBuffer(): void {
    if (this.pos === 0 || this.closed) return;
    this.writeAll(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length && !this.closed) {
      try {
        off += writeSync(this.fd, bytes, off, bytes.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          // A slow reader on a non-blocking pipe: wait a moment rather than spin.
          Atomics.wait(PAUSE, 0, 0, 1);
          continue;
        }
        if (code === 'EPIPE') {
          this.closed = true;
          return;
        }
        throw e;
      }
    }
  }
}
