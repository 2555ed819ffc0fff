// Native mode for Cedar: a scenario's own Cedar policies, entities and (optionally) schema,
// instead of the translation of the neutral model.
//
//   native:
//     cedar: {policies: x.native/cedar/policies.cedar, entities: x.native/cedar/entities.json, schema: x.native/cedar/schema.cedarschema}
//
// `policies` is Cedar policy text; `entities` Cedar's entity JSON (a list of {uid, attrs,
// parents}); `schema` (optional) a Cedar schema: the policies are validated against it and a
// validation error is a bad input. A check `user:anne view document:d1` is the Cedar request
// principal `user::"anne"`, action `Action::"view"`, resource `document::"d1"`, context the
// request's context as JSON; every entity of the file is passed (no slicing: the adapter does
// not know the shape of the user's entities).

import type { NativeSpec } from '../../src/core/adapter.ts';
import { InputError } from '../../src/core/errors.ts';
import { nativePath, readNativeFile } from '../../src/scenario/native-files.ts';
import type { CedarEntity } from './entities.ts';
import { callCedar, type CedarWasm } from './wasm.ts';

export interface NativeCedar {
  /** Policy id (its `@id` annotation, else `policy<n>`) -> text, so decisions name the user's policies. */
  policies: Record<string, string>;
  entities: CedarEntity[];
  schema?: string;
}

const SPEC_KEYS = new Set(['policies', 'entities', 'schema']);

function firstErrors(errors: { message: string }[]): string {
  return errors.map((e) => e.message).join('; ');
}

/** Reads and checks the native files: parse errors and validation errors are input errors naming the file. */
export async function loadNativeCedar(native: NativeSpec): Promise<NativeCedar> {
  for (const key of Object.keys(native.spec)) {
    if (!SPEC_KEYS.has(key)) {
      throw new InputError(native.file, `native.cedar.${key}`, `unknown key '${key}'`, 'use policies (a .cedar file), entities (a JSON file) and optionally schema (a .cedarschema file)');
    }
  }
  const policiesPath = nativePath(native, 'cedar', 'policies', true, 'name the Cedar policy file, relative to the scenario file')!;
  const entitiesPath = nativePath(native, 'cedar', 'entities', false, '');
  const schemaPath = nativePath(native, 'cedar', 'schema', false, '');
  const policies = await readNativeFile(native, 'cedar', 'policies', policiesPath);

  let entities: CedarEntity[] = [];
  if (entitiesPath) {
    const text = await readNativeFile(native, 'cedar', 'entities', entitiesPath);
    try {
      entities = JSON.parse(text) as CedarEntity[];
    } catch (error) {
      throw new InputError(entitiesPath, '', `not JSON: ${(error as Error).message}`, 'give a list of Cedar entities: [{"uid": {"type": "user", "id": "anne"}, "attrs": {}, "parents": []}]');
    }
    if (!Array.isArray(entities)) throw new InputError(entitiesPath, '', 'expected a JSON list of Cedar entities', '[{"uid": {"type": "user", "id": "anne"}, "attrs": {}, "parents": []}]');
  }

  let schema: string | undefined;
  if (schemaPath) schema = await readNativeFile(native, 'cedar', 'schema', schemaPath);

  // A trap (policies nested too deep for Cedar's parser) is a bad input too; the instance is replaced.
  const cedar = <T>(file: string, call: (wasm: CedarWasm) => T): T => {
    try {
      return callCedar(call);
    } catch (error) {
      throw new InputError(file, '', `Cedar could not read it: ${(error as Error).message}`, "simplify it (nesting this deep exceeds Cedar's parser stack)");
    }
  };
  const parsedPolicies = cedar(policiesPath, (wasm) => wasm.checkParsePolicySet({ staticPolicies: policies }));
  if (parsedPolicies.type === 'failure') {
    throw new InputError(policiesPath, '', `Cedar rejected the policies: ${firstErrors(parsedPolicies.errors)}`, 'fix the Cedar syntax (https://docs.cedarpolicy.com)');
  }
  if (schema !== undefined && schemaPath) {
    const parsedSchema = cedar(schemaPath, (wasm) => wasm.checkParseSchema(schema));
    if (parsedSchema.type === 'failure') throw new InputError(schemaPath, '', `Cedar rejected the schema: ${firstErrors(parsedSchema.errors)}`, 'fix the Cedar schema syntax');
    const answer = cedar(policiesPath, (wasm) => wasm.validate({ schema, policies: { staticPolicies: policies } }));
    const problems = answer.type === 'failure' ? firstErrors(answer.errors) : answer.validationErrors.map((e) => `policy ${e.policyId}: ${e.error.message}`).join('; ');
    if (problems) throw new InputError(policiesPath, '', `the policies do not validate against ${schemaPath}: ${problems}`, 'fix the policies or the schema');
  }
  const parsed = cedar(entitiesPath ?? policiesPath, (wasm) => wasm.checkParseEntities({ entities: entities as never, schema: schema ?? null }));
  if (parsed.type === 'failure') {
    throw new InputError(entitiesPath ?? policiesPath, '', `Cedar rejected the entities: ${firstErrors(parsed.errors)}`, 'see https://docs.cedarpolicy.com/auth/entities-syntax.html');
  }
  const byId = cedar(policiesPath, (wasm) => policiesById(wasm, policies));
  return schema === undefined ? { policies: byId, entities } : { policies: byId, entities, schema };
}

/** Splits the policy text into policies keyed by their `@id` annotation (Cedar's own ids otherwise). */
function policiesById(wasm: CedarWasm, text: string): Record<string, string> {
  const parts = wasm.policySetTextToParts(text);
  if (parts.type === 'failure' || parts.policy_templates.length > 0) return { policies: text };
  const out: Record<string, string> = {};
  parts.policies.forEach((policy, i) => {
    const json = wasm.policyToJson(policy);
    const id = json.type === 'success' ? json.json.annotations?.id : undefined;
    out[id && !Object.hasOwn(out, id) ? id : `policy${i}`] = policy;
  });
  return out;
}
