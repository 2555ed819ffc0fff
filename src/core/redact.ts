// The one redaction every writer applies before text leaves the process: results.json,
// cases.jsonl, reports, stderr, the recorded command line. A URL's userinfo
// (`http://user:SECRET@host`) and token-like query parameters (`?token=SECRET`) are
// stripped wherever they appear; secret values known to the run (AUTHZ_BENCH_*_TOKEN and
// the like from the environment, passwords and tokens seen in the command line's URLs) are
// replaced wherever they appear, even outside a URL (an error message that quotes one).

export const REDACTED = '[redacted]';

/** `scheme://userinfo@`: everything between `//` and `@` that holds no delimiter. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>\\]+)@/gi;
/** Query or fragment parameters whose value is a credential. */
const TOKEN_PARAMETER =
  /([?&#;](?:access[_-]?token|id[_-]?token|refresh[_-]?token|token|api[_-]?key|apikey|key|password|passwd|pwd|secret|client[_-]?secret|sig|signature|auth|authorization|session|code|credential|x-amz-signature|x-amz-credential|x-amz-security-token)=)([^&#\s"'<>\\]+)/gi;
/** An HTTP authorization header value written out. */
const AUTHORIZATION = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;
/** Environment variables that hold credentials for engines reached by URL (docs/engines.md). */
const SECRET_VARIABLE = /^AUTHZ_BENCH_.*(TOKEN|PASSWORD|SECRET|KEY)$/;
/** Shorter values are too likely to occur by chance ("1", "true") to be replaced everywhere. */
const MIN_SECRET_LENGTH = 4;

const registered = new Set<string>();

/** Every secret value of the environment (AUTHZ_BENCH_*_TOKEN, _PASSWORD, _SECRET, _KEY). */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_VARIABLE.test(name) && value !== undefined && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value!);
}

/** Makes `value` (and its URL-decoded form) redacted everywhere from now on. */
export function registerSecret(value: string): void {
  for (const form of [value, safeDecode(value)]) if (form.length >= MIN_SECRET_LENGTH) registered.add(form);
}

/** Registers the passwords and token parameters of every URL in `args` (the command line). */
export function registerSecretsIn(args: readonly string[]): void {
  for (const arg of args) {
    for (const match of arg.matchAll(USERINFO)) {
      const userinfo = match[2]!;
      const colon = userinfo.indexOf(':');
      // `user:password` -> the password; a lone `token@` -> the token itself.
      registerSecret(colon >= 0 ? userinfo.slice(colon + 1) : userinfo);
    }
    for (const match of arg.matchAll(TOKEN_PARAMETER)) registerSecret(match[2]!);
  }
}

/** For tests: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  registered.clear();
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `text` with every credential replaced by [redacted]. */
export function redact(text: string, secrets: Iterable<string> = [...registered, ...environmentSecrets()]): string {
  let out = text.replace(USERINFO, `$1${REDACTED}@`).replace(TOKEN_PARAMETER, `$1${REDACTED}`).replace(AUTHORIZATION, `$1 ${REDACTED}`);
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...new Set(secrets)].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
