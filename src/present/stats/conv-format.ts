/**
 * The number formats of tshark's conversation and endpoint tables: C's
 * `%.Nf` (exact, ties to even, as glibc rounds), byte sizes in SI units
 * (`184 kB`, `2900 bytes`), 64-bit unsigned counters, and the 32-bit signed
 * frame length the tables add up.
 */

const TWO_64 = 1n << 64n;

/** The sign, the integer mantissa and the power of two of a finite double: |x| = m * 2^e. */
function decompose(x: number): { negative: boolean; m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const negative = hi >>> 31 === 1;
  if (biased === 0) return { negative, m: frac, e: -1074 };
  return { negative, m: frac | (1n << 52n), e: biased - 1075 };
}

/**
 * `printf("%.<digits>f", x)` as glibc prints it: the exact binary value
 * rounded to `digits` decimals, a tie going to the even digit (a duration of
 * exactly 0.03125 s prints `0.0312`, which Number#toFixed would round up).
 */
export function cFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const { negative, m, e } = decompose(x);
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (e >= 0) {
    q = (m << BigInt(e)) * scale;
  } else {
    const num = m * scale;
    const den = 1n << BigInt(-e);
    q = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  }
  let text = q.toString().padStart(digits + 1, '0');
  if (digits > 0) text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${text}` : text;
}

/**
 * What a frame of `len` bytes adds to a table's byte counters: tshark hands
 * the length over as a C `int`, so a frame of 2^31 bytes or more counts
 * negative (the totals then wrap as its 64-bit counters do).
 */
export function tableLength(len: number): number {
  return len >= 0x80000000 ? len - 0x100000000 : len;
}

/** A byte counter printed as tshark's unsigned 64-bit `%u`. */
export function u64Text(v: number): string {
  return v >= 0 ? String(v) : (TWO_64 + BigInt(v)).toString();
}

const SI_UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e12, ' TB'],
  [1e9, ' GB'],
  [1e6, ' MB'],
  [1e3, ' kB'],
];

/**
 * tshark 4.0's human-readable size: the largest SI unit of which there are
 * at least ten whole ones, the count truncated (`10999` is `10 kB`, `9999`
 * stays `9999 bytes`); a negative total is printed as it is.
 */
export function sizeText(v: number): string {
  for (const [unit, suffix] of SI_UNITS) {
    const whole = Math.floor(v / unit);
    if (whole >= 10) return `${whole}${suffix}`;
  }
  return `${v} bytes`;
}

/** `%-Ns`: left-aligned in at least `width` characters. */
export function left(s: string, width: number): string {
  return s.padEnd(width);
}

/** `%Ns` / `%Nu`: right-aligned in at least `width` characters. */
export function right(s: string | number | bigint, width: number): string {
  return String(s).padStart(width);
}
