import { MpscopeError } from '../util/errors.js';

export type ProbeErrorCode =
  /** A crafting request that cannot be built (bad address text, an option that does not fit...). */
  | 'CRAFT'
  /** A trace that cannot start (no route, no source address, a target of the wrong family...). */
  | 'TRACE';

/** Mistakes in what a caller asked the probe layer to build or send. */
export class ProbeError extends MpscopeError {
  constructor(code: ProbeErrorCode, message: string, hint?: string) {
    super(code, message, hint);
  }
}

export function craftError(message: string, hint?: string): ProbeError {
  return new ProbeError('CRAFT', message, hint);
}
