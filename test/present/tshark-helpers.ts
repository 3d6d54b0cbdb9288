import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';

/** tshark with the fixed preferences these tests compare against; runs in UTC so clock texts agree. */
export function tshark(args: string[]): string {
  return execFileSync('tshark', args, {
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' },
  }).toString('utf8');
}

/** Preferences that make tshark's TCP columns stateless (no relative numbers, no analysis flags). */
export const NO_ANALYSIS = ['-o', 'tcp.analyze_sequence_numbers:FALSE', '-o', 'tcp.relative_sequence_numbers:FALSE'];
/** Also no reassembly of application PDUs, which needs per-connection state. */
export const NO_REASSEMBLY = [...NO_ANALYSIS, '-o', 'tcp.desegment_tcp_streams:FALSE'];

/** Every frame of a capture, with its bytes copied out of the reader's buffer. */
export function readFrames(file: string): Frame[] {
  const frames: Frame[] = [];
  readCaptureBytes(new Uint8Array(readFileSync(file)), (f) => {
    frames.push({ ...f, data: f.data.slice() });
  });
  return frames;
}
