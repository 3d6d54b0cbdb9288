/** "Did you mean" support: rank known names by closeness to a mistyped one. */

/** Levenshtein distance (insert, delete, substitute each cost 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * The `n` names closest to `query`. Distance is measured case-insensitively;
 * a name that contains the query's last dotted component (`sendkey` in
 * `mptcp.sendkey`) gets a bonus, because people usually remember the tail of
 * a field name and guess its prefix.
 */
export function nearestNames(query: string, names: Iterable<string>, n: number): string[] {
  const q = query.toLowerCase();
  const tail = q.slice(q.lastIndexOf('.') + 1);
  const scored: Array<[number, string]> = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    let score = editDistance(q, lower);
    if (tail.length >= 3 && lower.endsWith(tail)) score = Math.min(score, 1 + Math.abs(lower.length - q.length) / 8);
    scored.push([score, name]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].length - y[1].length || (x[1] < y[1] ? -1 : 1));
  return scored.slice(0, n).map(([, name]) => name);
}
