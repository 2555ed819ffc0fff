// Which relations and permissions some set of relationships could grant (OpenFGA calls the way
// in an "entrypoint"): `edit: edit`, `a: b` with `b: a`, `viewer: [document#viewer]` alone, or
// three permissions each the intersection of the others can never be granted: every way to
// them leads back to them. A model that has one is refused with its name and a fix, as OpenFGA
// refuses it, instead of answering "deny" for ever.
//
// A least fixed point: nothing is grantable at first; a relation becomes grantable through a
// subject type or wildcard, or a userset that is grantable; a permission through its rewrite
// (a union: any term; an intersection: every term; an exclusion: its base; `t->c`: `c` on some
// object type `t` allows). Repeated until nothing changes.

import type { Model, Rewrite, TypeDefinition } from './types.ts';

/** `type#name` of every relation and permission no relationships could grant, in the model's order. */
export function ungrantable(model: Model): { type: string; name: string }[] {
  const grantable = new Set<string>();
  const key = (type: string, name: string) => `${type}#${name}`;
  const can = (type: string, name: string) => grantable.has(key(type, name));
  const viaRewrite = (type: TypeDefinition, rewrite: Rewrite): boolean => {
    switch (rewrite.kind) {
      case 'computed':
        return can(type.name, rewrite.relation);
      case 'tupleToUserset':
        return (type.relations.get(rewrite.tupleset)?.allowed ?? []).some((a) => a.relation === undefined && !a.wildcard && can(a.type, rewrite.computed));
      case 'union':
        return rewrite.children.some((child) => viaRewrite(type, child));
      case 'intersection':
        return rewrite.children.every((child) => viaRewrite(type, child));
      case 'exclusion':
        return viaRewrite(type, rewrite.base);
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const type of model.types.values()) {
      for (const relation of type.relations.values()) {
        if (can(type.name, relation.name)) continue;
        if (relation.allowed.some((a) => a.relation === undefined || can(a.type, a.relation))) {
          grantable.add(key(type.name, relation.name));
          changed = true;
        }
      }
      for (const permission of type.permissions.values()) {
        if (can(type.name, permission.name) || !viaRewrite(type, permission.rewrite)) continue;
        grantable.add(key(type.name, permission.name));
        changed = true;
      }
    }
  }
  const never: { type: string; name: string }[] = [];
  for (const type of model.types.values()) {
    for (const name of [...type.relations.keys(), ...type.permissions.keys()]) if (!can(type.name, name)) never.push({ type: type.name, name });
  }
  return never;
}

/** Each never-grantable relation or permission as a problem for an input error: its section, what is wrong, and a fix naming the model's own types and relations. */
export function ungrantableProblems(model: Model): { type: string; section: 'relations' | 'permissions'; name: string; problem: string; fix: string }[] {
  const never = ungrantable(model);
  return never.map(({ type, name }) => {
    const definition = model.types.get(type)!;
    const section = definition.relations.has(name) ? 'relations' : 'permissions';
    // A relation of the same type that can be granted, to name in the fix.
    const base = [...definition.relations.keys()].find((r) => !never.some((n) => n.type === type && n.name === r));
    const fix =
      section === 'relations'
        ? `allow a subject type in it, e.g. [${model.types.keys().next().value}]`
        : `give it a term that does not depend on it${base ? `, e.g. '${name}: ${base} | ...'` : `: a relation of '${type}' that allows a subject type`}`;
    return {
      type,
      section,
      name,
      problem: `'${name}' of '${type}' can never be granted: every way to it leads back to it, or to another relation or permission that can never be granted`,
      fix,
    };
  });
}
