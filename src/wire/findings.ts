import type { Finding, Severity } from './types.js';

/** Appends a finding; decoders call this instead of throwing. */
export function report(findings: Finding[], severity: Severity, code: string, layer: string, message: string, offset?: number): void {
  findings.push(offset === undefined ? { severity, code, message, layer } : { severity, code, message, layer, offset });
}

/** The usual "the capture ends inside this header" finding. */
export function truncated(findings: Finding[], layer: string, what: string, need: number, have: number, offset: number): void {
  report(findings, 'error', 'truncated', layer, `${what} truncated: ${have} of ${need} bytes captured`, offset);
}
