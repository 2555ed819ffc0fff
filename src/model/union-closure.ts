// The relations a permission grants through unions and computed names only: for adapters that
// can treat such a permission like a relation (a userset `org#member` where `member: member_direct
// | owner`). Undefined when the rewrite holds anything else (tuple-to-userset, intersection,
// exclusion), which needs evaluation, not lookup.

import type { Model, Rewrite } from './types.ts';

export function unionRelations(model: Model, type: string, name: string): string[] | undefined {
  const def = model.types.get(type);
  if (!def) return undefined;
  const relations = new Set<string>();
  const seen = new Set<string>();
  const visit = (rewrite: Rewrite): boolean => {
    switch (rewrite.kind) {
      case 'computed': {
        if (seen.has(rewrite.relation)) return true;
        seen.add(rewrite.relation);
        if (def.relations.has(rewrite.relation)) {
          relations.add(rewrite.relation);
          return true;
        }
        const permission = def.permissions.get(rewrite.relation);
        return !!permission && visit(permission.rewrite);
      }
      case 'union':
        return rewrite.children.every(visit);
      default:
        return false;
    }
  };
  return visit({ kind: 'computed', relation: name }) ? [...relations] : undefined;
}
