// Relations and permissions no relationships could ever grant (OpenFGA's "no entrypoint"):
// found by src/model/entrypoints.ts, refused in a scenario's model with the name and a fix.
import { describe, expect, it } from 'vitest';
import { InputError, InputErrors } from '../../src/core/errors.ts';
import { ungrantable } from '../../src/model/entrypoints.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { model } from '../helpers/model.ts';

const types = (doc: string) => `
types:
  user: {}
  folder:
    relations:
      parent: [folder]
      owner: [user]
    permissions:
      view: owner | parent->view
  doc:
${doc}`;

const never = (doc: string) => ungrantable(model(types(doc))).map(({ type, name }) => `${type}#${name}`);

describe('ungrantable relations and permissions', () => {
  it.each([
    ['a permission naming itself', '    relations:\n      owner: [user]\n    permissions:\n      edit: edit', ['doc#edit']],
    ['two naming each other', '    relations:\n      owner: [user]\n    permissions:\n      a: b\n      b: a', ['doc#a', 'doc#b']],
    ['a relation allowing only its own userset', '    relations:\n      viewer: [doc#viewer]', ['doc#viewer']],
    ['each the intersection of the others', '    relations:\n      owner: [user]\n    permissions:\n      a: owner & b\n      b: owner & a', ['doc#a', 'doc#b']],
    ['an exclusion whose base leads back to it', '    relations:\n      owner: [user]\n    permissions:\n      a: b - owner\n      b: a', ['doc#a', 'doc#b']],
  ])('finds %s', (_, doc, expected) => {
    expect(never(doc)).toEqual(expected);
  });

  it.each([
    ['a cycle with a way out', '    relations:\n      owner: [user]\n    permissions:\n      a: b | owner\n      b: a'],
    ['a hierarchy climbing by a tupleset', '    relations:\n      parent: [folder]\n      owner: [user]\n    permissions:\n      view: owner | parent->view'],
    ['a wildcard and a userset of a grantable relation', '    relations:\n      viewer: [user:*, doc#owner]\n      owner: [user]'],
    ['an exclusion of itself from a grantable base', '    relations:\n      owner: [user]\n    permissions:\n      a: owner - a'],
  ])('leaves %s alone', (_, doc) => {
    expect(never(doc)).toEqual([]);
  });

  it('refuses a scenario whose model has one: file, place, line and a fix, each one named', async () => {
    const text = `id: t\ntitle: T\nmodel:${types('    relations:\n      owner: [user]\n    permissions:\n      edit: edit\n      view: owner | edit').replaceAll('\n', '\n  ')}\nsteps: []\n`;
    let errors: InputError[] = [];
    try {
      await loadScenarioText(text, 'self.yaml');
    } catch (error) {
      errors = error instanceof InputErrors ? error.errors : error instanceof InputError ? [error] : [];
    }
    expect(errors.map((e) => e.message)).toEqual([
      "self.yaml at model.types.doc.permissions.edit (line 16): 'edit' of 'doc' can never be granted: every way to it leads back to it, or to another relation or permission that can never be granted (fix: give it a term that does not depend on it, e.g. 'edit: owner | ...')",
    ]);
  });

  it('names a subject type of the model itself in the fix for a relation, and no relation it lacks for a permission', async () => {
    const text = `id: t\ntitle: T\nmodel:\n  types:\n    agent: {}\n    team:\n      relations:\n        member: [team#member]\n      permissions:\n        act: member\nsteps: []\n`;
    let messages: string[] = [];
    try {
      await loadScenarioText(text, 'teams.yaml');
    } catch (error) {
      messages = (error instanceof InputErrors ? error.errors : error instanceof InputError ? [error] : []).map((e) => e.message);
    }
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^teams\.yaml at model\.types\.team\.relations\.member \(line 8\): .* \(fix: allow a subject type in it, e\.g\. \[agent\]\)$/);
    expect(messages[1]).toMatch(/model\.types\.team\.permissions\.act .* \(fix: give it a term that does not depend on it: a relation of 'team' that allows a subject type\)$/);
  });
});
