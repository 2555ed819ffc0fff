// Comparing an engine with the reference engine: both started around a describe block.

import { afterAll, beforeAll } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import { startEngine, type TestEngineOptions } from './engines.ts';

export interface EnginePair {
  /** The engine under test (set once the enclosing block's beforeAll has run). */
  engine: EngineAdapter;
  /** The reference engine. */
  reference: EngineAdapter;
}

/** Starts the engine (`opa`, `cerbos[admin]`) and the reference engine before the enclosing describe block's tests; stops both after them. */
export function withReference(text: string, options: TestEngineOptions = {}): EnginePair {
  const pair = {} as EnginePair;
  beforeAll(async () => {
    pair.reference = await startEngine('reference');
    pair.engine = await startEngine(text, options);
  }, 120_000);
  afterAll(async () => {
    await pair.engine?.stop();
    await pair.reference?.stop();
  }, 30_000);
  return pair;
}
