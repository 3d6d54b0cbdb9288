/**
 * Errors that reach users. Each has a stable `code` so scripts and the CLI can
 * react without parsing messages, and an optional `hint` the CLI prints after it.
 */
export class MpscopeError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

/** Capture-file problems: not a capture, truncated, corrupt block. `offset` is the byte offset in the (decompressed) stream. */
export class CaptureError extends MpscopeError {
  readonly offset: number | undefined;
  constructor(code: 'NOT_A_CAPTURE' | 'TRUNCATED' | 'CORRUPT_BLOCK' | 'UNSUPPORTED' | 'IO', message: string, offset?: number, hint?: string) {
    super(code, message, hint);
    this.offset = offset;
  }
}

/** Command-line mistakes: the CLI prints the message and a usage hint. */
export class UsageError extends MpscopeError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, hint);
  }
}

export function isMpscopeError(e: unknown): e is MpscopeError {
  return e instanceof MpscopeError;
}
