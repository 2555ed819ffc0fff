// Every object a scenario names reaches forEachScenarioObject, so an engine's unsupportedObject
// marks the scenario unsupported up front instead of failing mid-step.
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { forEachScenarioObject } from '../../src/scenario/objects.ts';

const SCENARIO = `
id: objects
title: objects
model:
  types:
    user: {}
    folder:
      relations:
        viewer: [user]
      permissions:
        view: viewer
    document:
      relations:
        parent: [folder]
      permissions:
        view: parent->view
relationships: [folder:f1#viewer@user:frank]
steps:
  - revocation:
      path: relationship
      newEnemy: true
      check: {subject: user:frank, action: view, resource: folder:f1}
      revoke: {delete: [folder:f1#viewer@user:frank]}
      content:
        write: [document:only-in-content#parent@folder:f2]
        check: {subject: user:content-reader, action: view, resource: document:only-in-content}
`;

describe('forEachScenarioObject', () => {
  it('visits the objects of a revocation step, its new content included', async () => {
    const seen = new Set<string>();
    forEachScenarioObject(await loadScenarioText(SCENARIO, 'objects.yaml'), (object, role) => seen.add(`${role} ${object.type}:${object.id}`));
    expect(seen).toContain('resource document:only-in-content');
    expect(seen).toContain('subject folder:f2');
    expect(seen).toContain('subject user:content-reader');
  });
});
