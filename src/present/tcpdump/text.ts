/**
 * tcpdump's one-line summaries of text protocols over TCP (HTTP, RTSP, FTP,
 * SMTP, WHOIS) and of the SSH version banner. These are the only payload
 * bytes the tcpdump format looks at for these ports, so they are read here.
 *
 * Each function appends to a TextResult; text cut short by the capture ends
 * with tcpdump's ` [|proto]` marker.
 */

const MAX_TOKEN = 128;

export const HTTP_COMMANDS = new Set([
  'GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE',
  'LABEL', 'MERGE', 'DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT',
  'OPTIONS', 'CHECKIN', 'PROPFIND', 'CHECKOUT', 'CCM_POST', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND',
  'BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE', 'UNSUBSCRIBE', 'RPC_CONNECT',
  'VERSION-CONTROL', 'BASELINE-CONTROL',
]);

export const RTSP_COMMANDS = new Set([
  'DESCRIBE', 'ANNOUNCE', 'GET_PARAMETER', 'OPTIONS', 'PAUSE', 'PLAY', 'RECORD', 'REDIRECT', 'SETUP',
  'SET_PARAMETER', 'TEARDOWN',
]);

/** Text appended to by the printers below. */
export interface TextResult {
  text: string;
}

const isPrint = (c: number): boolean => c >= 0x20 && c < 0x7f;

/**
 * Reads a token at `idx` (up to white space); returns the index after the
 * white space that follows it, or 0 when there is no printable token.
 * `tok` receives the token text.
 */
function fetchToken(data: Uint8Array, idx: number, len: number, capEnd: number, tok: { s: string }): number {
  let t = '';
  for (; idx < len; idx++) {
    if (idx >= capEnd) return 0;
    const c = data[idx]!;
    if (c >= 0x80) return 0;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) return 0;
    if (t.length + 2 > MAX_TOKEN + 1) return 0;
    t += String.fromCharCode(c);
  }
  if (t === '') return 0;
  tok.s = t;
  for (; idx < len; idx++) {
    if (idx >= capEnd) break;
    const c = data[idx]!;
    if (c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) break;
    if (c !== 0x20 && c !== 0x09) break;
  }
  return idx;
}

/**
 * One text line at `idx`: appends `prefix` + line and returns the index after
 * its end of line, or 0 when the line is not plain text or does not end in
 * this segment (a trailing unterminated printable line is still printed).
 * Returns -1 when the capture ends before the segment does.
 */
function txtLine(data: Uint8Array, start: number, idx: number, len: number, capEnd: number, prefix: string, r: TextResult): number {
  const begin = idx;
  while (idx < len) {
    if (start + idx >= capEnd) return -1;
    const c = data[start + idx]!;
    if (c === 0x0a) {
      r.text += prefix + latin(data, start + begin, start + idx);
      return idx + 1;
    }
    if (c === 0x0d) {
      if (idx + 1 >= len) return 0;
      if (start + idx + 1 >= capEnd) return -1;
      if (data[start + idx + 1] === 0x0a) {
        r.text += prefix + latin(data, start + begin, start + idx);
        return idx + 2;
      }
      return 0;
    }
    if (!isPrint(c) && c !== 0x09) return 0;
    idx++;
  }
  r.text += prefix + latin(data, start + begin, start + idx);
  return 0;
}

function latin(data: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(data[i]!);
  return s;
}

const tokenBox = { s: '' };

/**
 * tcpdump's generic text-protocol summary: the protocol name in capitals,
 * then (for a request or response line, or always when `commands` is null)
 * `: first line`, or with `verbose` `, length: N` and every text line.
 */
export function textProtocol(
  r: TextResult, name: string, data: Uint8Array, start: number, len: number, capEnd: number,
  commands: Set<string> | null, verbose: boolean,
): void {
  let printThis = commands === null;
  if (commands !== null) {
    let idx = fetchToken(data, start, start + len, capEnd, tokenBox);
    if (idx !== 0) {
      if (commands.has(tokenBox.s.toUpperCase())) printThis = true;
      idx = fetchToken(data, idx, start + len, capEnd, tokenBox);
      if (idx !== 0) {
        const t = tokenBox.s;
        if (t.length === 3 && t.charCodeAt(0) >= 0x30 && t.charCodeAt(0) <= 0x39
          && t.charCodeAt(1) >= 0x30 && t.charCodeAt(1) <= 0x39 && t.charCodeAt(2) >= 0x30 && t.charCodeAt(2) <= 0x39) {
          printThis = true;
        }
      }
    }
  }
  r.text += name.toUpperCase();
  if (!printThis) return;
  if (verbose) {
    r.text += ', length: ' + len;
    for (let idx = 0; idx < len;) {
      const eol = txtLine(data, start, idx, len, capEnd, '\n\t', r);
      if (eol === -1) { r.text += ' [|' + name + ']'; return; }
      if (eol === 0) break;
      idx = eol;
    }
  } else if (txtLine(data, start, 0, len, capEnd, ': ', r) === -1) {
    r.text += ' [|' + name + ']';
   
  }
}

/** The SSH version banner (`: SSH: SSH-2.0-...`) when the segment starts with one. */
export function sshBanner(r: TextResult, data: Uint8Array, start: number, len: number, capEnd: number): void {
  // "SSH-" must be present; tcpdump stops with a truncation mark when those bytes were not captured.
  for (let i = 0; i < 4; i++) {
    if (start + i >= capEnd) { r.text += ' [|ssh]'; return; }
    if (data[start + i] !== 'SSH-'.charCodeAt(i)) return;
  }
  for (let idx = 4; idx < len; idx++) {
    if (start + idx >= capEnd) { r.text += ' [|ssh]'; return; }
    const c = data[start + idx]!;
    if (c === 0x0a || (c === 0x0d && idx + 1 < len && start + idx + 1 < capEnd && data[start + idx + 1] === 0x0a)) {
      r.text += ': SSH: ' + latin(data, start, start + idx);
      return;
    }
    if (c === 0x0d) {
      if (idx + 1 < len && start + idx + 1 >= capEnd) { r.text += ' [|ssh]'; }
      return;
    }
    if (!isPrint(c)) return;
  }
}

/** tcpdump's escaping of arbitrary bytes: `M-` for the high bit, `^X` for controls. */
export function escapedChars(data: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) {
    let c = data[i]!;
    if (c >= 0x80) { c &= 0x7f; s += 'M-'; }
    if (!isPrint(c)) { c ^= 0x40; s += '^'; }
    s += String.fromCharCode(c);
  }
  return s;
}
