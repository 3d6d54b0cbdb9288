/**
 * Frame-number selections such as `1-10,15,20-` (editcap's habit): a sorted
 * list of inclusive ranges, checked in order as frames stream by.
 */
export interface FrameRanges {
  ranges: Array<[from: number, to: number]>;
  /** Largest frame number any range can match (Infinity for open ranges). */
  last: number;
}

export function parseFrameRanges(spec: string): FrameRanges | string {
  const ranges: Array<[number, number]> = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d*)\s*(-?)\s*(\d*)\s*$/.exec(part);
    if (!m || (m[1] === '' && m[3] === '')) return `bad frame range '${part}' (expected N, N-M, N- or -M)`;
    const from = m[1] === '' ? 1 : Number(m[1]);
    const to = m[2] === '' ? from : m[3] === '' ? Infinity : Number(m[3]);
    if (from < 1 || to < from) return `bad frame range '${part}' (frames count from 1 and ranges go upwards)`;
    ranges.push([from, to]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return { ranges, last: Math.max(...ranges.map((r) => r[1])) };
}

export function inRanges(r: FrameRanges, n: number): boolean {
  for (const [from, to] of r.ranges) if (n >= from && n <= to) return true;
  return false;
}
