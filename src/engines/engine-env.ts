// The environment an engine process starts with: what any program needs to run (PATH,
// HOME, locale, time zone, temporary folder) and the Go runtime's tuning knobs, nothing
// else. An engine never sees the harness's own AUTHZ_BENCH_* variables (credentials for
// engines reached by URL among them) nor anything else the user's shell holds; what an
// engine needs beyond this, its launcher passes explicitly (SpawnOptions.env).

const PASSED = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TMP', 'TEMP', 'GOMAXPROCS', 'GOGC', 'GOMEMLIMIT', 'GODEBUG']);
const PASSED_PREFIXES = ['LC_'];

/** The variables of `env` an engine may inherit. */
export function engineEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (PASSED.has(name) || PASSED_PREFIXES.some((prefix) => name.startsWith(prefix))) out[name] = value;
  }
  return out;
}
