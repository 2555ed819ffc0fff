// Errors in user input (scenario and model files, CLI arguments). The CLI prints these
// as one line that names the file, the place and the fix, exits 2, and shows no stack.

export class InputError extends Error {
  constructor(
    readonly file: string,
    /** Where inside the file, e.g. `steps[3].expect`; empty for the whole file. */
    readonly path: string,
    readonly problem: string,
    /** What to do about it, e.g. "use allow or deny". */
    readonly fix?: string,
  ) {
    // The place and the problem quote the user's text (ids, keys, values): each word is cut.
    super(`${file}${path ? ` at ${clampWords(path)}` : ''}: ${clampWords(problem)}${fix ? ` (fix: ${fix})` : ''}`);
    this.name = 'InputError';
  }
}

/** Several input errors found in one pass, so the user can fix them all at once. */
export class InputErrors extends Error {
  constructor(readonly errors: InputError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'InputErrors';
  }
}

export function isInputError(error: unknown): error is InputError | InputErrors {
  return error instanceof InputError || error instanceof InputErrors;
}

/** Joins a path and a key the way error messages show them: `steps[3].expect`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The longest word (a run without white space: an id, a relationship) an error message quotes whole. */
const MAX_WORD = 120;
/** How much of a longer word it keeps. */
const KEPT_OF_WORD = 100;
/** How much of a found value's JSON it quotes. */
const MAX_QUOTE = 40;

/** `text` with each word longer than MAX_WORD characters cut, with its length: a 100,000-character id makes one short line. */
export function clampWords(text: string): string {
  return text.replace(/(\S{121,}?)([:,;]?)(?=\s|$)/g, (word, body: string, punctuation: string) => {
    const chars = [...body];
    return chars.length <= MAX_WORD ? word : `${chars.slice(0, KEPT_OF_WORD).join('')}… (${chars.length} characters)${punctuation}`;
  });
}

/** A value found where another was expected, for a message: its kind, and the start of a scalar (never a whole file). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const chars = [...JSON.stringify(value)];
  return `${typeof value} ${chars.length > MAX_QUOTE ? `${chars.slice(0, MAX_QUOTE).join('')}…` : chars.join('')}`;
}
