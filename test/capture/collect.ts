import { CaptureParser, readCaptureBytes } from '../../src/capture/index.js';
import type { CaptureInfo, Frame } from '../../src/capture/index.js';

/** A frame with its bytes copied out of the reader's buffer, comparable with deepEqual. */
export type KeptFrame = Omit<Frame, 'data'> & { data: string };

export function keep(f: Frame): KeptFrame {
  return { ...f, data: Buffer.from(f.data).toString('hex') };
}

export interface Outcome {
  frames: KeptFrame[];
  info?: CaptureInfo;
  error?: unknown;
}

/** Reads with readCaptureBytes, catching the error so frames before it can be checked. */
export function readAll(bytes: Uint8Array): Outcome {
  const frames: KeptFrame[] = [];
  try {
    return { frames, info: readCaptureBytes(bytes, (f) => void frames.push(keep(f))) };
  } catch (error) {
    return { frames, error };
  }
}

/** Feeds the parser the given chunk sizes (cycled) instead of one buffer. */
export function readChunked(bytes: Uint8Array, sizes: (i: number) => number): Outcome {
  const frames: KeptFrame[] = [];
  const parser = new CaptureParser((f) => void frames.push(keep(f)));
  try {
    for (let off = 0, i = 0; off < bytes.length; i++) {
      const n = Math.max(1, sizes(i));
      parser.push(bytes.subarray(off, off + n));
      off += n;
    }
    return { frames, info: parser.end() };
  } catch (error) {
    return { frames, error };
  }
}

export function epoch(f: { tsSec: number; tsNsec: number }): string {
  return `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`;
}
