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
    super(`${file}${path ? ` at ${path}` : ''}: ${problem}${fix ? ` (fix: ${fix})` : ''}`);
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
