import { writeSync } from 'node:fs';

/**
 * Buffered standard output. Formatters produce many short lines; joining them
 * into large writes is what makes `> /dev/null` runs fast. A closed pipe
 * (`| head`) ends output quietly instead of raising EPIPE.
 */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export class Output {
  private parts: string[] = [];
  private size = 0;
  closed = false;

  constructor(private readonly fd = 1, private readonly limit = 1 << 16) {}

  write(s: string): void {
    if (this.closed) return;
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= this.limit) this.flush();
  }

  line(s: string): void {
    this.write(s + '\n');
  }

  flush(): void {
    if (this.parts.length === 0 || this.closed) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(this.fd, buf, off, buf.length - off);
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
