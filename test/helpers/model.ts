// Builders the tests share: a neutral model from YAML text, the folder model most tests use,
// relationships from their compact form and AuthZEN check requests from `type:id` strings.

import { parse as parseYaml } from 'yaml';
import { parseRelationship, type Relationship } from '../../src/core/relationship.ts';
import type { CheckRequest } from '../../src/core/request.ts';
import { parseModel } from '../../src/model/parse.ts';
import type { Model } from '../../src/model/types.ts';

/** The model in a YAML `model:` block (its content); `file` names it in error messages. */
export const model = (yaml: string, file = 'test.yaml'): Model => parseModel(parseYaml(yaml), file);

/** `types:` with users and nested groups; more types follow, indented by two spaces. */
export const GROUPS_YAML = `
types:
  user: {}
  group:
    relations:
      member: [user, group#member]
`;

/** The `not_expired` condition, as a whole `conditions:` block. */
export const NOT_EXPIRED_YAML = `conditions:
  not_expired:
    parameters: {now: timestamp, expires_at: timestamp}
    expression: now < expires_at
`;

export interface FoldersOptions {
  /** Subjects allowed on `folder#blocked` (default `[user]`). */
  blocked?: string;
  /** Permissions of `folder` after view, edit and read, e.g. `deep: (viewer | parent->deep) - blocked`. */
  permissions?: string[];
  /** More types (YAML, indented by two spaces) after `folder`. */
  types?: string;
}

/**
 * The folder model: users, nested groups, folders with parents, owners, editors, blocked
 * users and viewers (wildcard, group members, `not_expired` grants); `view` is union with
 * hierarchy, `edit` intersection, `read` exclusion.
 */
export function foldersYaml(options: FoldersOptions = {}): string {
  const permissions = (options.permissions ?? []).map((p) => `      ${p}\n`).join('');
  return `${GROUPS_YAML}  folder:
    relations:
      parent: [folder]
      owner: [user]
      editor: [user]
      blocked: ${options.blocked ?? '[user]'}
      viewer: [user, 'user:*', group#member, user with not_expired]
    permissions:
      view: owner | viewer | parent->view
      edit: owner & editor
      read: view - blocked
${permissions}${options.types ?? ''}${NOT_EXPIRED_YAML}`;
}

/** A relationship from its compact form (`folder:a#viewer@user:anne`); throws on a malformed one. */
export function rel(text: string): Relationship {
  const parsed = parseRelationship(text);
  if (!parsed) throw new Error(`bad relationship ${text}`);
  return parsed;
}

/** A check request from `type:id` subject and resource and an action name. */
export function req(subject: string, action: string, resource: string, context?: Record<string, unknown>): CheckRequest {
  const s = subject.indexOf(':');
  const r = resource.indexOf(':');
  return {
    subject: { type: subject.slice(0, s), id: subject.slice(s + 1) },
    action: { name: action },
    resource: { type: resource.slice(0, r), id: resource.slice(r + 1) },
    ...(context ? { context } : {}),
  };
}
