/** Corpus frames for the wire tests, read through the capture module and copied so they outlive the reader. */
import { readFileSync } from 'node:fs';
import { readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/types.js';

export function loadFrames(path: string): Frame[] {
  const frames: Frame[] = [];
  readCaptureBytes(new Uint8Array(readFileSync(path)), (f) => {
    frames.push({ ...f, data: f.data.slice() });
  });
  return frames;
}
