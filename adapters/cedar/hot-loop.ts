// Hot loops over cedar-wasm, to look for the V8 crash reported on Node 20.20 ("unreachable
// code" in the deoptimizer, avoided with --no-turbo-inline-js-wasm-calls) and to show the
// trap that was found instead. README.md, "The Node flag finding", has the results.
//
//   npx tsx adapters/cedar/hot-loop.ts --variant plain --calls 300000
//   node --no-turbo-inline-js-wasm-calls --import tsx adapters/cedar/hot-loop.ts --variant plain
//
// Variants:
//   plain    statefulIsAuthorized on two entities, same shapes every call
//   shapes   an async caller; entity shapes vary, some requests fail, context sometimes missing,
//            the policy set preparsed again every 5 000 calls
//   version  getCedarVersion() and checkParsePolicySet (valid and invalid text alternately)
//   deopt    the hot caller is deoptimized lazily from a getter Cedar's input conversion calls
//   trap     a Rust stack overflow inside cedar-wasm, then ordinary calls on the same instance

import { parseArgs } from 'node:util';
import { cedarWasm } from './wasm.ts';

const { values } = parseArgs({ options: { variant: { type: 'string', default: 'plain' }, calls: { type: 'string', default: '300000' } } });
const calls = Number(values.calls);
const cedar = cedarWasm();
console.log(
  `cedar ${cedar.getCedarVersion()}, node ${process.version}, V8 ${process.versions.v8}, flags: ${process.execArgv.filter((a) => a.startsWith('--no-')).join(' ') || 'none'}, variant ${values.variant}`,
);

const POLICY = 'permit(principal, action == Action::"view", resource) when { principal in resource.viewers };';
const uid = (type: string, id: string) => ({ type, id });

function plain(): number {
  cedar.preparsePolicySet('hot', { staticPolicies: POLICY });
  let allowed = 0;
  for (let i = 0; i < calls; i++) {
    const answer = cedar.statefulIsAuthorized({
      principal: uid('User', `u${i % 10}`),
      action: uid('Action', 'view'),
      resource: uid('Doc', 'd'),
      context: {},
      preparsedPolicySetId: 'hot',
      entities: [
        { uid: uid('User', `u${i % 10}`), attrs: {}, parents: [uid('G', 'g')] },
        { uid: uid('Doc', 'd'), attrs: { viewers: { __entity: uid('G', 'g') } }, parents: [] },
      ],
    });
    if (answer.type === 'success' && answer.response.decision === 'allow') allowed++;
  }
  return allowed;
}

async function shapes(): Promise<number> {
  const policies = (k: number) => ({
    staticPolicies: `permit(principal, action == Action::"view", resource) when { principal in resource.viewers && context has now && context.now < datetime("2026-0${1 + (k % 9)}-01T00:00:00Z") };`,
  });
  cedar.preparsePolicySet('hot', policies(0));
  const check = async (i: number): Promise<string> => {
    const entities: unknown[] = [
      { uid: uid('User', `u${i % 10}`), attrs: i % 3 ? {} : { n: i, s: `x${i}`, b: true }, parents: [uid('G', `g${i % 2}`)] },
      { uid: uid('Doc', 'd'), attrs: { viewers: i % 5 ? { __entity: uid('G', 'g0') } : [{ __entity: uid('G', 'g1') }] }, parents: [] },
    ];
    if (i % 997 === 0) entities.push({ uid: { type: 'Bad' }, attrs: {}, parents: [] });
    const context = i % 7 ? { now: { __extn: { fn: 'datetime', arg: '2026-03-01T00:00:00Z' } } } : {};
    const answer = cedar.statefulIsAuthorized({
      principal: uid('User', `u${i % 10}`),
      action: uid('Action', i % 11 ? 'view' : 'edit'),
      resource: uid('Doc', 'd'),
      context,
      preparsedPolicySetId: 'hot',
      entities: entities as never,
    });
    return answer.type === 'success' ? answer.response.decision : 'failure';
  };
  let allowed = 0;
  for (let i = 0; i < calls; i++) {
    if ((await check(i)) === 'allow') allowed++;
    if (i % 5000 === 4999) cedar.preparsePolicySet('hot', policies(i));
  }
  return allowed;
}

function version(): number {
  let n = 0;
  for (let i = 0; i < calls; i++) n += cedar.getCedarVersion().length;
  for (let i = 0; i < calls / 10; i++) n += cedar.checkParsePolicySet({ staticPolicies: i % 2 ? POLICY : 'permit(principal,' }).type.length;
  return n;
}

function deopt(): number {
  cedar.preparsePolicySet('hot', { staticPolicies: 'permit(principal, action, resource) when { context.n > 1 };' });
  class Holder {
    x = 1;
  }
  let flip = false;
  const context = (i: number) => {
    const ctx = {};
    Object.defineProperty(ctx, 'n', {
      enumerable: true,
      get() {
        if (flip) {
          // Changing a prototype the optimized caller depends on deoptimizes it while Wasm is on the stack.
          (Holder.prototype as unknown as Record<string, number>).y = i;
          delete (Holder.prototype as unknown as Record<string, number>).y;
        }
        return i % 3;
      },
    });
    return ctx;
  };
  const hot = (i: number, h: Holder) => {
    const answer = cedar.statefulIsAuthorized({
      principal: uid('U', 'u'),
      action: uid('Action', 'a'),
      resource: uid('R', 'r'),
      context: context(i),
      preparsedPolicySetId: 'hot',
      entities: [],
    });
    return (answer.type === 'success' && answer.response.decision === 'allow' ? 1 : 0) + h.x;
  };
  let sum = 0;
  const holder = new Holder();
  for (let i = 0; i < calls; i++) {
    if (i === Math.floor(calls * 0.75)) flip = true;
    sum += hot(i, holder);
  }
  return sum;
}

function trap(): number {
  const deep = `permit(principal, action, resource) when { ${'('.repeat(100_000)}true${')'.repeat(100_000)} };`;
  for (let round = 0; round < 2; round++) {
    try {
      console.log(`round ${round}: deep policy -> ${cedar.checkParsePolicySet({ staticPolicies: deep }).type}`);
    } catch (error) {
      console.log(`round ${round}: deep policy threw ${(error as Error).constructor.name}: ${(error as Error).message}`);
    }
    try {
      console.log(`round ${round}: ordinary policy -> ${cedar.checkParsePolicySet({ staticPolicies: POLICY }).type}`);
    } catch (error) {
      console.log(`round ${round}: ordinary policy threw ${(error as Error).constructor.name}: ${(error as Error).message}`);
    }
  }
  return 0;
}

const started = performance.now();
const variants: Record<string, () => number | Promise<number>> = { plain, shapes, version, deopt, trap };
const run = variants[values.variant!];
if (!run) throw new Error(`--variant ${Object.keys(variants).join('|')}`);
const result = await run();
console.log(`survived: ${values.variant}, result ${result}, ${(performance.now() - started).toFixed(0)} ms`);
