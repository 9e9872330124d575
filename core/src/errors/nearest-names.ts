/** Damerau-free Levenshtein distance (insert, delete, substitute), used to suggest names. */
export function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(above + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

/** Up to `limit` candidates closest to `name`: by edit distance, substring matches first. */
export function nearestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const scored = [...candidates].map((candidate) => {
    const c = candidate.toLowerCase();
    const contains = c.includes(lower) || lower.includes(c) ? -2 : 0;
    return { candidate, score: editDistance(lower, c) + contains };
  });
  const threshold = Math.max(2, Math.ceil(name.length / 3));
  const best = Math.min(...scored.map((s) => s.score));
  return scored
    .filter((s) => s.score <= threshold && s.score <= best + 2)
    .sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate))
    .slice(0, limit)
    .map((s) => s.candidate);
}

/** " Did you mean 'a' or 'b'?" or "" when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const near = nearestNames(name, candidates);
  if (near.length === 0) return '';
  const quoted = near.map((n) => `'${n}'`);
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  return ` Did you mean ${list}?`;
}
