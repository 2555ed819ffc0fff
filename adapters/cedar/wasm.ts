// The cedar-wasm module, behind one accessor so that a broken instance can be replaced.
//
// cedar-wasm's Node build instantiates its WebAssembly module once, when it is loaded. A trap
// inside it (a Rust stack overflow surfaces as `RangeError: Maximum call stack size exceeded`,
// e.g. parsing a policy nested 100000 parentheses deep) leaves that instance corrupt: every
// later call fails with `RuntimeError: memory access out of bounds` (reproduced here; README.md).
// The module is CommonJS, so dropping it from the require cache and loading it again gives a
// fresh instance. Policy sets preparsed in the old instance are gone: callers compare
// `generation()` with the one they preparsed in.

import { createRequire } from 'node:module';

export type CedarWasm = typeof import('@cedar-policy/cedar-wasm/nodejs');

const require = createRequire(import.meta.url);
const MODULE = require.resolve('@cedar-policy/cedar-wasm/nodejs');

let instance = require(MODULE) as CedarWasm;
let generationCounter = 0;

export function cedarWasm(): CedarWasm {
  return instance;
}

/** Which instance is loaded; changes when a trapped instance is replaced. */
export function generation(): number {
  return generationCounter;
}

/** Whether an error thrown by a cedar-wasm call is a WebAssembly trap (the instance is then unusable). */
function isTrap(error: unknown): boolean {
  return error instanceof RangeError || error instanceof WebAssembly.RuntimeError;
}

/** Loads a fresh instance of the module; returns the new generation. */
function replaceInstance(): number {
  delete require.cache[MODULE];
  instance = require(MODULE) as CedarWasm;
  return ++generationCounter;
}

/**
 * Runs one cedar-wasm call; a trap replaces the instance and is rethrown with what happened,
 * so the caller reports it (the check is an error, not a crash of the run).
 */
export function callCedar<T>(call: (cedar: CedarWasm) => T): T {
  try {
    return call(instance);
  } catch (error) {
    if (!isTrap(error)) throw error;
    replaceInstance();
    throw new Error(`cedar-wasm trapped (${(error as Error).message}); a fresh WebAssembly instance was loaded`);
  }
}
