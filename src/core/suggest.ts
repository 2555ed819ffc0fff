// "Did you mean …?": the closest known names to what the user wrote, for error messages.

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/** Up to `max` of the candidates closest to `word`, if within a third of its length in edits (a substring counts as one edit). */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.ceil(word.length / 3));
  const lower = word.toLowerCase();
  const near = [...new Set(candidates)]
    .map((c) => ({ c, d: c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase()) ? Math.min(1, editDistance(word, c)) : editDistance(word, c) }))
    .filter(({ d }) => d <= limit);
  // Only the closest: 'revokation' suggests 'revocation', not also 'delegation'.
  const best = Math.min(...near.map(({ d }) => d));
  return near
    .filter(({ d }) => d === best)
    .sort((a, b) => a.c.localeCompare(b.c))
    .slice(0, max)
    .map(({ c }) => c);
}

/** `did you mean 'viewer'? ` or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = closest(word, candidates);
  if (near.length === 0) return '';
  return `did you mean ${near.map((n) => `'${n}'`).join(' or ')}? `;
}
