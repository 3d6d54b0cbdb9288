import { CaptureError } from '../util/errors.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on device',
  EPIPE: 'the reader went away (broken pipe)',
};

/** A Node system error (errno code) as CaptureError IO; anything else is returned unchanged. */
export function ioError(verb: 'read' | 'write', name: string, e: unknown): unknown {
  if (e instanceof CaptureError) return e;
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  return new CaptureError('IO', `cannot ${verb} ${name}: ${REASONS[code] ?? (e as Error).message}`);
}
