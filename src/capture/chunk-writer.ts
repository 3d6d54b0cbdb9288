import { concatBytes } from '../util/bytes.js';
import type { Frame } from './types.js';

/** A byte sink: receives finished chunks it may keep (they are never reused). */
export type ByteSink = (chunk: Uint8Array) => void;

/**
 * Batches small writes into chunks of `size` bytes before handing them to a
 * sink, so a writer can emit headers field by field without a sink call (or a
 * file write) per packet.
 */
export class ChunkWriter {
  /** Current chunk and a view of it; valid until the next `reserve`. */
  buf: Uint8Array;
  dv: DataView;
  private pos = 0;

  constructor(
    private readonly sink: ByteSink,
    private readonly size = 64 * 1024,
  ) {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
  }

  /**
   * Makes room for `n` bytes in `buf`/`dv` and returns the offset to write them
   * at (then call `advance`). The room is zero-filled: every chunk is a fresh
   * buffer written once, which writers rely on for padding.
   */
  reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.replace(n);
    }
    return this.pos;
  }

  advance(n: number): void {
    this.pos += n;
  }

  /** Hands the bytes written so far to the sink. */
  flush(): void {
    if (this.pos === 0) return;
    const out = this.buf.subarray(0, this.pos);
    this.replace(this.size);
    this.sink(out);
  }

  private replace(size: number): void {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
    this.pos = 0;
  }
}

/** Concatenates chunks (returns the only one as is). */
export function joinChunks(chunks: Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

/** Runs frames through a writer opened on an in-memory sink: the whole file as one buffer. */
export function encodeInMemory(frames: Iterable<Frame>, open: (sink: ByteSink) => { write(frame: Frame): void; close(): void }): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = open((c) => chunks.push(c));
  for (const f of frames) w.write(f);
  w.close();
  return joinChunks(chunks);
}
