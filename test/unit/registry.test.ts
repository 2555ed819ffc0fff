// The registry: engines found by folder, ids it gives (configurations, repeated engines),
// `--set` options split per engine and refused when no chosen engine has them.

import { describe, expect, it } from 'vitest';
import { isInputError } from '../../src/core/errors.ts';
import { createEngine, loadEngineDefinitions, resolveEngineSpecs, settingsFor } from '../../src/engines/registry.ts';
import { engineLogFile } from '../../src/runner/engine-session.ts';

const definitions = await loadEngineDefinitions();
/** Any engine with a configuration and any engine with a --set option, found by their definitions. */
const configured = definitions.find((d) => Object.keys(d.configurations ?? {}).length > 0 && d.install.kind !== 'embedded')!;
const configuration = Object.keys(configured.configurations!)[0]!;
const withSetting = definitions.find((d) => Object.keys(d.settings ?? {}).length > 0)!;
const settingKey = Object.keys(withSetting.settings!)[0]!;

describe('engine registry', () => {
  it('finds every folder, the `first` engine first, each with a version, an install recipe and a description', () => {
    expect(definitions[0]!.first).toBe(true);
    expect(definitions.filter((d) => d.first)).toHaveLength(1);
    for (const d of definitions) {
      expect(d.version, d.id).toBeTruthy();
      expect(d.install.kind, d.id).toMatch(/^(embedded|go|npm|npm-binary)$/);
      expect(d.description.length, d.id).toBeGreaterThan(10);
    }
  });

  it('gives ids: `id`, `id[configuration]`, and `#2` for the same engine twice; adapters do not build them', async () => {
    const specs = await resolveEngineSpecs([configured.id, `${configured.id}[${configuration}]`, `${configured.id}=http://127.0.0.1:1`]);
    expect(specs.map((s) => s.id)).toEqual([configured.id, `${configured.id}[${configuration}]`, `${configured.id}#2`]);
    expect(specs[2]!.url).toBe('http://127.0.0.1:1');
    const engine = createEngine(specs[1]!);
    expect(engine.id).toBe(`${configured.id}[${configuration}]`);
    expect(engine.definitionId).toBe(configured.id);
    expect(engine.info().id).toBe(engine.id);
    expect(engineLogFile('/r', specs[1]!.id)).toBe(`/r/engines/${configured.id}-${configuration}.log`);
    expect(engineLogFile('/r', specs[2]!.id, 'audit')).toBe(`/r/engines/${configured.id}-2.audit.log`);
  });

  it('`all` is every engine and configuration but the baseline and the engines reached by URL only', async () => {
    const all = await resolveEngineSpecs(['all']);
    expect(all.some((s) => s.definition.role === 'baseline' || s.definition.role === 'remote')).toBe(false);
    expect(all.length).toBe(definitions.filter((d) => (d.role ?? 'engine') === 'engine').reduce((n, d) => n + 1 + Object.keys(d.configurations ?? {}).length, 0));
  });

  it('refuses unknown engines and configurations with the valid list', async () => {
    await expect(resolveEngineSpecs(['no-such-engine'])).rejects.toThrow(/unknown engine.*use one of: all, /);
    await expect(resolveEngineSpecs([`${configured.id}[nope]`])).rejects.toThrow(/has no configuration 'nope'/);
  });

  it('gives each engine the --set options it declared; an option no chosen engine has is refused with the valid ones', async () => {
    const specs = await resolveEngineSpecs([withSetting.id, 'reference']);
    const values = withSetting.settings![settingKey]!.values;
    const value = values ? values[0]! : '3';
    const split = settingsFor(specs, { [settingKey]: value });
    expect(split.get(specs[0]!)).toEqual({ [settingKey]: value });
    expect(split.get(specs[1]!)).toEqual({});
    let error: unknown;
    try {
      settingsFor(specs, { nonsense: '1' });
    } catch (e) {
      error = e;
    }
    expect(isInputError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(new RegExp(`no chosen engine has this option.*${settingKey}`));
    if (values) expect(() => settingsFor(specs, { [settingKey]: 'not-a-value' })).toThrow(/no chosen engine accepts this value/);
    // Scoped to one engine: `id.key=value`.
    expect(settingsFor(specs, { [`${withSetting.id}.${settingKey}`]: value }).get(specs[0]!)).toEqual({ [settingKey]: value });
    expect(() => settingsFor(specs, { [`nope.${settingKey}`]: value })).toThrow(/no chosen engine is 'nope'/);
  });
});

describe('--set values of a declared form', () => {
  // Checked with the other options, before any engine starts (a bad value used to fail the engine's start: exit 3, or was ignored).
  it.each([
    ['openfga', 'listObjectsDeadline', 'abc', 'listObjectsDeadline=30s'],
    ['openfga', 'listObjectsMaxResults', '-5', 'listObjectsMaxResults=20000'],
    ['opa', 'levels', 'lots', 'levels=50'],
    ['opa', 'bundlePolling', '0', 'bundlePolling=1'],
  ])('%s: %s=%s is refused with an example', async (engine, key, value, example) => {
    const specs = await resolveEngineSpecs([engine]);
    expect(() => settingsFor(specs, { [key]: value })).toThrow(`--set at ${key}=${value}: no chosen engine accepts this value`);
    expect(() => settingsFor(specs, { [key]: value })).toThrow(`(fix: e.g. --set ${example})`);
    expect(settingsFor(specs, { [key]: example.split('=')[1]! }).get(specs[0]!)).toEqual({ [key]: example.split('=')[1] });
  });
});

describe('engine URLs', () => {
  it.each([
    ['notaurl', /not a URL/],
    ['ftp://host', /unsupported scheme/],
    ['http://user:pw@127.0.0.1:1', /credentials in the URL are not used/],
    ['http://127.0.0.1:1/?token=x', /a query or fragment/],
  ])('refuses %s before anything runs', async (url, message) => {
    const server = definitions.find((d) => d.install.kind !== 'embedded')!;
    await expect(resolveEngineSpecs([`${server.id}=${url}`])).rejects.toThrow(message);
  });

  it('refuses a URL for an engine that runs in this process', async () => {
    await expect(resolveEngineSpecs(['reference=http://127.0.0.1:1'])).rejects.toThrow(/runs in this process; it has no URL/);
  });
});

describe('engines status', () => {
  it('names every engine: a table row for each with something to install, one line for the rest', async () => {
    const { engineStatus, formatStatus } = await import('../../src/engines/status.ts');
    const { installUnits } = await import('../../src/engines/registry.ts');
    const text = formatStatus(await engineStatus(installUnits(definitions)), definitions);
    for (const d of definitions) expect(text).toMatch(new RegExp(`(^|[\\s,:])${d.id}[\\s,]`, 'm'));
    expect(text).toMatch(/^nothing to install \(in-process, or reached by URL\): .*reference \d+\.\d+\.\d+/m);
    expect(text).toContain('authzen (a decision point by URL: --engine authzen=<url>)');
  });
});
