// Engine ids below name the engines of the fixture results file (test/fixtures/results-small.json) on purpose.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { escapeXml, renderJunit } from '../../src/report/junit.ts';
import type { RunResults } from '../../src/results/types.ts';

const load = () => JSON.parse(readFileSync(new URL('../fixtures/results-small.json', import.meta.url), 'utf8')) as RunResults;

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => {
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(s)) throw new Error(`bare & in ${JSON.stringify(s)}`);
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]!);
};

/** A tiny, strict parser for the XML subset JUnit uses: throws on anything not well-formed. */
function parseXml(xml: string): Element {
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  if (body === xml) throw new Error('missing XML declaration');
  const root: Element = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    const [, close, name, attrText, selfClose, text, stray] = m;
    if (stray) throw new Error(`stray < at ${m.index}`);
    if (text !== undefined) {
      if (text.includes('>')) throw new Error('raw > in text');
      stack.at(-1)!.text += decode(text);
      continue;
    }
    if (close) {
      const open = stack.pop()!;
      if (open.name !== name) throw new Error(`</${name}> closes <${open.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([\w.-]+)="([^"]*)"/g)) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      attrs[a[1]!] = decode(a[2]!);
    }
    const el: Element = { name: name!, attrs, children: [], text: '' };
    stack.at(-1)!.children.push(el);
    if (!selfClose) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (root.children.length !== 1 || root.text.trim() !== '') throw new Error('not exactly one root element');
  return root.children[0]!;
}

const all = (el: Element, name: string): Element[] => [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];

describe('JUnit XML', () => {
  const results = load();
  const xml = renderJunit(results);
  const doc = parseXml(xml);

  it('is well-formed with one suite per engine and one case per step and batch item', () => {
    expect(doc.name).toBe('testsuites');
    const suites = doc.children;
    expect(suites.map((s) => s.attrs.name)).toEqual(['reference', 'openfga', 'cerbos', 'oso']);
    const cases = all(doc, 'testcase');
    expect(cases).toHaveLength(results.cases.length);
    expect(Number(doc.attrs.tests)).toBe(cases.length);
    for (const s of suites) {
      const tc = s.children.filter((c) => c.name === 'testcase');
      expect(Number(s.attrs.tests), s.attrs.name).toBe(tc.length);
      expect(Number(s.attrs.failures)).toBe(tc.filter((c) => c.children.some((x) => x.name === 'failure')).length);
      expect(Number(s.attrs.errors)).toBe(tc.filter((c) => c.children.some((x) => x.name === 'error')).length);
      expect(Number(s.attrs.skipped)).toBe(tc.filter((c) => c.children.some((x) => x.name === 'skipped')).length);
      for (const c of tc) expect(c.attrs.classname!.startsWith(`${s.attrs.name}.`)).toBe(true);
    }
    // Batch items are separate cases.
    expect(cases.filter((c) => c.attrs.classname === 'reference.folders' && c.attrs.name!.startsWith('steps[2]['))).toHaveLength(3);
  });

  it('carries expected and actual in <failure>, errors in <error>, the reason in <skipped>, all escaped', () => {
    const failure = all(doc, 'failure').find((f) => f.text.includes('folder:<b>'))!;
    expect(failure.attrs.message).toBe('expected deny, got allow <wrong> & "odd"');
    expect(failure.text).toContain('expected: deny');
    expect(failure.text).toContain('actual:   allow <wrong> & "odd"');
    expect(xml).toContain('allow &lt;wrong&gt; &amp; &quot;odd&quot;');
    expect(all(doc, 'error').map((e) => e.attrs.message)).toContain('gRPC UNAVAILABLE: connection reset');
    expect(all(doc, 'skipped').map((e) => e.attrs.message)).toEqual(['unsupported: conditional userset <not supported>']);
    const props = Object.fromEntries(
      all(doc, 'property')
        .filter((p) => p.attrs.name === 'setting.datastore')
        .map((p) => [p.attrs.name, p.attrs.value]),
    );
    expect(props).toEqual({ 'setting.datastore': 'memory' });
  });

  it('reports an engine that never ran as one error, and strips characters XML forbids', () => {
    const r = load();
    r.cases = r.cases.filter((c) => c.engine !== 'oso');
    r.scenarios[0]!.id = 'bad\u0001id';
    for (const c of r.cases) if (c.scenario === 'folders') c.scenario = 'bad\u0001id';
    const d = parseXml(renderJunit(r));
    const oso = d.children.find((s) => s.attrs.name === 'oso')!;
    expect(oso.attrs.errors).toBe('1');
    expect(all(oso, 'error')[0]!.attrs.message).toContain('library failed to load <libpolar.so>');
    expect(all(d, 'testcase').some((c) => c.attrs.classname === 'reference.bad\uFFFDid')).toBe(true);
    expect(escapeXml(`<a b="c">'&'`)).toBe('&lt;a b=&quot;c&quot;&gt;&apos;&amp;&apos;');
  });

  it('rejects malformed XML in the checker itself', () => {
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a></b>')).toThrow();
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>x & y</a>')).toThrow();
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>x < y</a>')).toThrow();
  });
});
