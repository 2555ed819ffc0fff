// Hand-made relationships and checks on the folder model with a `deep` permission (see
// foldersYaml): rewrites, nested groups with a cycle, a wildcard, a conditional grant.

import { expect } from 'vitest';
import type { EngineAdapter } from '../../src/core/adapter.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import type { Model } from '../../src/model/types.ts';
import { model, rel, req } from './model.ts';

/** Writes the relationships FOLDER_CHECKS are about (the model must be loaded). */
export async function writeFolderRelationships(engine: EngineAdapter): Promise<void> {
  await engine.write(
    [
      'group:a#member@group:b#member',
      'group:b#member@group:a#member',
      'group:b#member@group:c#member',
      'group:c#member@user:carl',
      'folder:root#viewer@group:a#member',
      'folder:x/y#parent@folder:root',
      'folder:z#parent@folder:x/y',
      'folder:z#blocked@user:carl',
      'folder:z#owner@user:olga',
      'folder:z#editor@user:olga',
      'folder:any#viewer@user:*',
    ].map(rel),
  );
  await engine.write([{ ...rel('folder:t#viewer@user:tim'), condition: { name: 'not_expired', parameters: { expires_at: '2030-01-01T00:00:00Z' } } }]);
}

/** Checks and the expected answers: the last but one lacks the condition's `now`, the last names no permission. */
export const FOLDER_CHECKS: [CheckRequest, boolean][] = [
  [req('user:carl', 'view', 'folder:z'), true],
  [req('user:carl', 'read', 'folder:z'), false],
  [req('user:carl', 'deep', 'folder:z'), false],
  [req('user:carl', 'deep', 'folder:x/y'), true],
  [req('user:nobody', 'view', 'folder:z'), false],
  [req('user:olga', 'edit', 'folder:z'), true],
  [req('user:carl', 'edit', 'folder:z'), false],
  [req('user:zed', 'view', 'folder:any'), true],
  [req('user:tim', 'view', 'folder:t', { now: '2026-01-01T00:00:00Z' }), true],
  [req('user:tim', 'view', 'folder:t', { now: '2031-01-01T00:00:00Z' }), false],
  [req('user:tim', 'view', 'folder:t'), false],
  [req('user:carl', 'nosuchpermission', 'folder:z'), false],
];

/**
 * Revocation by policy update on a running engine: after a grant through `parent`, the model
 * changes to one without hierarchy; the relationships stay, the inherited grant is gone.
 */
export async function expectRevocationByPolicyUpdate(engine: EngineAdapter, folders: Model): Promise<void> {
  await engine.loadModel(folders);
  await engine.write(['folder:root#viewer@user:vic', 'folder:a#parent@folder:root'].map(rel));
  expect((await engine.check(req('user:vic', 'view', 'folder:a'))).allowed).toBe(true);
  const flat = model(`
types:
  user: {}
  folder:
    relations:
      parent: [folder]
      viewer: [user]
    permissions:
      view: viewer
`);
  await engine.updateModel!(flat);
  expect((await engine.check(req('user:vic', 'view', 'folder:a'))).allowed).toBe(false);
  expect((await engine.check(req('user:vic', 'view', 'folder:root'))).allowed).toBe(true);
}
