/** Writing capture files with node:fs (or to standard output for '-'). */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ioError } from './io-error.js';
import { PcapWriter } from './pcap-writer.js';
import type { PcapWriterOptions } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';
import type { PcapngWriterOptions } from './pcapng-writer.js';
import type { CaptureFormat, Frame } from './types.js';

export interface CaptureFileWriter {
  write(frame: Frame): void;
  /** Flushes and closes the file (for '-', waits until standard output took everything). */
  close(): Promise<void>;
  readonly frames: number;
}

/**
 * Creates (or truncates) `path` and writes a capture to it; '-' writes to
 * standard output, so `mpscope ... -w - | tcpdump -r -` works. Frames are
 * copied when written, so views handed out by the readers are fine.
 */
export function openCaptureWriter(path: string, format: 'pcap', options?: PcapWriterOptions): CaptureFileWriter;
export function openCaptureWriter(path: string, format: 'pcapng', options?: PcapngWriterOptions): CaptureFileWriter;
export function openCaptureWriter(
  path: string,
  format: CaptureFormat,
  options?: PcapWriterOptions | PcapngWriterOptions,
): CaptureFileWriter {
  const target = path === '-' ? stdoutTarget() : fileTarget(path);
  const writer =
    format === 'pcap'
      ? new PcapWriter(target.sink, options as PcapWriterOptions | undefined)
      : new PcapngWriter(target.sink, options as PcapngWriterOptions | undefined);
  return {
    write: (frame) => writer.write(frame),
    async close() {
      writer.close();
      await target.close();
    },
    get frames() {
      return writer.frames;
    },
  };
}

interface Target {
  sink(chunk: Uint8Array): void;
  close(): Promise<void>;
}

function fileTarget(path: string): Target {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw ioError('write', path, e);
  }
  return {
    sink(chunk) {
      try {
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
      } catch (e) {
        throw ioError('write', path, e);
      }
    },
    async close() {
      closeSync(fd);
    },
  };
}

function stdoutTarget(): Target {
  return {
    sink(chunk) {
      process.stdout.write(chunk);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        // The callback of an empty write runs once everything queued before it is out.
        process.stdout.write(new Uint8Array(0), (e) => (e ? reject(ioError('write', 'standard output', e)) : resolve()));
      });
    },
  };
}
