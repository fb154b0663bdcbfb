// "Did you mean": the closest known words to a mistyped one. Pure leaf helper.

/** Levenshtein distance with adjacent transpositions counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Edits allowed before a word stops looking like a typo of another: 1 for short words, 2 from 6 letters, 3 from 12. */
function typoBudget(word: string): number {
  return word.length >= 12 ? 3 : word.length >= 6 ? 2 : 1;
}

/**
 * Known words within the typo budget of `word`, closest first (ties keep the
 * candidates' order). `word` itself is never suggested.
 */
export function closestWords(word: string, candidates: Iterable<string>, max = 3): string[] {
  const budget = typoBudget(word);
  const hits: { w: string; d: number; i: number }[] = [];
  let i = 0;
  for (const c of candidates) {
    i++;
    if (c === word || Math.abs(c.length - word.length) > budget) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d <= budget) hits.push({ w: c, d, i });
  }
  return hits
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, max)
    .map((h) => h.w);
}
