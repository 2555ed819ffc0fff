// SpiceDB's naming rules, and how neutral names and ids that break them are carried over.
//
// SpiceDB accepts definition, relation, permission and caveat names of 3 to 64 characters,
// lower case, `[a-z][a-z0-9_]*[a-z0-9]`; the neutral model allows upper case, `-`, `/` (MCP's
// `tools/call`) and one-letter names. Object ids may only hold `[a-zA-Z0-9/_|\-=+]` (no `@`,
// `.` or `:`, which e-mail addresses in AuthZEN's Todo data have).
// - Names: a valid name is kept; any other is rewritten to a valid one (`tools/call` ->
//   `tools_call`), made unique in its scope; the map is kept both ways for requests and for
//   reading answers back.
// - Ids: every character SpiceDB does not allow, and `=` itself, becomes `=` and its UTF-8
//   bytes in hex (`rick@x.com` -> `rick=40x=2ecom`): reversible, and ids that were already valid
//   and hold no `=` are unchanged.

const VALID_NAME = /^[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const ID_CHARACTER = /[a-zA-Z0-9/_|\-+]/;
const MAX_NAME = 64;

/** Whether SpiceDB accepts `name` as a definition, relation, permission or caveat name. */
export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** A valid SpiceDB name close to `name` (not yet made unique). */
function validNameFor(name: string): string {
  let out = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(out)) out = `n_${out}`;
  out = out.replace(/_+$/, '');
  while (out.length < 3) out = `${out}_n`;
  return out.slice(0, MAX_NAME).replace(/_+$/, '');
}

/** Names in one scope (definitions and caveats; or the relations and permissions of one definition). */
export class NameScope {
  private readonly toEngine = new Map<string, string>();
  private readonly toNeutral = new Map<string, string>();

  /** Every neutral name of the scope, in order; valid ones first so that a rewritten name never takes a valid one's place. */
  constructor(names: Iterable<string>) {
    const all = [...names];
    for (const name of all.filter(isValidName)) this.assign(name, name);
    for (const name of all.filter((n) => !isValidName(n))) {
      const base = validNameFor(name);
      let candidate = base;
      for (let n = 2; this.toNeutral.has(candidate); n++) candidate = `${base.slice(0, MAX_NAME - String(n).length - 1)}_${n}`;
      this.assign(name, candidate);
    }
  }

  private assign(neutral: string, engine: string): void {
    this.toEngine.set(neutral, engine);
    this.toNeutral.set(engine, neutral);
  }

  /** The SpiceDB name; a name the scope does not know is rewritten the same way (SpiceDB then says it does not exist). */
  engine(neutral: string): string {
    return this.toEngine.get(neutral) ?? (isValidName(neutral) ? neutral : validNameFor(neutral));
  }

  neutral(engine: string): string {
    return this.toNeutral.get(engine) ?? engine;
  }

  /** Neutral -> SpiceDB pairs that differ, for messages and the README. */
  renamed(): Array<[string, string]> {
    return [...this.toEngine].filter(([neutral, engine]) => neutral !== engine);
  }
}

/** A neutral object id as a SpiceDB object id (`*`, the wildcard, is kept). */
export function encodeId(id: string): string {
  if (id === '*') return id;
  let out = '';
  for (const character of id) {
    if (character !== '=' && ID_CHARACTER.test(character)) out += character;
    else for (const byte of Buffer.from(character, 'utf8')) out += `=${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of encodeId. */
export function decodeId(id: string): string {
  if (!id.includes('=')) return id;
  const bytes: number[] = [];
  for (let i = 0; i < id.length; i++) {
    if (id[i] === '=' && /^[0-9a-f]{2}$/.test(id.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(id.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(id[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
