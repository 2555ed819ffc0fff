// The adapter's entity store: relationships indexed so that each request's entity slice is
// built by look-ups, not scans. Cedar decides; the store only says which entities exist and
// who their parents are (translate.ts explains the entities).
//
// The slice for `principal action resource` holds the resource (with the node attributes the
// action's policies read), every node from which one of those nodes can be reached (walking
// parents backwards: the resource's side of the graph, not the principal's), and the principal
// with its parents among them. A path from the principal to a node the policies test lies
// inside the slice, so Cedar's answer is the same as with every entity (`entities=all`, the
// naive way, kept to show its cost). Cedar rejects cycles in the entity hierarchy ("input graph
// has a cycle"): a cycle (a group nested in itself, folders that are each other's parent) is
// given one representative that every member points to, which keeps who reaches what.

import { relationshipKey, WILDCARD, type Relationship } from '../../src/core/relationship.ts';
import { clauseAtoms as clauseAtomsOf, type CedarTranslation } from './translate.ts';

/** A node: the subjects with relation or permission `name` on object `type:id`. */
interface Node {
  type: string;
  name: string;
  id: string;
}

interface EntityUid {
  type: string;
  id: string;
}

export interface CedarEntity {
  uid: EntityUid;
  attrs: Record<string, unknown>;
  parents: EntityUid[];
}

export type EntityMode = 'slice' | 'all';

const nodeKey = (type: string, name: string, id: string) => `${type}#${name}:${id}`;
const objectKey = (type: string, id: string) => `${type}:${id}`;

function addTo<K, V>(index: Map<K, Map<string, V>>, k: K, itemKey: string, value: V): void {
  let bucket = index.get(k);
  if (!bucket) {
    bucket = new Map();
    index.set(k, bucket);
  }
  bucket.set(itemKey, value);
}

function removeFrom<K, V>(index: Map<K, Map<string, V>>, k: K, itemKey: string): void {
  const bucket = index.get(k);
  if (!bucket) return;
  bucket.delete(itemKey);
  if (bucket.size === 0) index.delete(k);
}

/** Relationships and their indexes; independent of the model, so a policy update keeps them. */
export class EntityStore {
  private readonly all = new Map<string, Relationship>();
  /** `type:id` of an object subject -> the relation nodes it is directly in (unconditional). */
  readonly direct = new Map<string, Map<string, Node>>();
  /** relation node -> userset subjects `group:eng#member` as nodes (unconditional). */
  readonly usersets = new Map<string, Map<string, Node>>();
  /** relation node -> subject types with an unconditional `type:*` relationship. */
  readonly wildcards = new Map<string, Map<string, string>>();
  /** relation node -> its plain object subjects (for tuple-to-userset). */
  readonly objects = new Map<string, Map<string, { type: string; id: string }>>();
  /** Conditional relationships: each is a grant policy (grants.ts). */
  readonly conditional = new Map<string, Relationship>();
  /** Every object that is the resource of a relationship (for `entities=all`). */
  private readonly resources = new Map<string, Map<string, { type: string; id: string }>>();

  get size(): number {
    return this.all.size;
  }

  clear(): void {
    for (const index of [this.all, this.direct, this.usersets, this.wildcards, this.objects, this.conditional, this.resources]) index.clear();
  }

  relationships(): IterableIterator<Relationship> {
    return this.all.values();
  }

  write(rel: Relationship): void {
    const k = relationshipKey(rel);
    const old = this.all.get(k);
    if (old) this.delete(old);
    this.all.set(k, rel);
    this.index(rel, true);
  }

  delete(rel: Relationship): void {
    const k = relationshipKey(rel);
    const old = this.all.get(k);
    if (!old) return;
    this.all.delete(k);
    this.index(old, false);
  }

  private index(rel: Relationship, add: boolean): void {
    const k = relationshipKey(rel);
    const node = nodeKey(rel.resource.type, rel.relation, rel.resource.id);
    const resourceKey = objectKey(rel.resource.type, rel.resource.id);
    if (add) addTo(this.resources, resourceKey, k, rel.resource);
    else removeFrom(this.resources, resourceKey, k);
    if (rel.condition) {
      if (add) this.conditional.set(k, rel);
      else this.conditional.delete(k);
      return;
    }
    const { subject } = rel;
    if (subject.relation) {
      const child: Node = { type: subject.type, name: subject.relation, id: subject.id };
      if (add) addTo(this.usersets, node, k, child);
      else removeFrom(this.usersets, node, k);
    } else if (subject.id === WILDCARD) {
      if (add) addTo(this.wildcards, node, k, subject.type);
      else removeFrom(this.wildcards, node, k);
    } else {
      const parent: Node = { type: rel.resource.type, name: rel.relation, id: rel.resource.id };
      if (add) {
        addTo(this.direct, objectKey(subject.type, subject.id), k, parent);
        addTo(this.objects, node, k, { type: subject.type, id: subject.id });
      } else {
        removeFrom(this.direct, objectKey(subject.type, subject.id), k);
        removeFrom(this.objects, node, k);
      }
    }
  }

  /** Every object that is the resource of some relationship. */
  knownResources(): { type: string; id: string }[] {
    return [...this.resources.values()].map((bucket) => bucket.values().next().value!);
  }
}

interface SliceRequest {
  principal: { type: string; id: string };
  action: string;
  resource: { type: string; id: string };
}

/** Builds the entities of one request from the store and the loaded translation. */
export class SliceBuilder {
  constructor(
    private readonly store: EntityStore,
    private readonly translation: CedarTranslation,
  ) {}

  private isGraph(type: string, name: string): boolean {
    return this.translation.graphNames.get(type)?.has(name) ?? false;
  }

  private nodeUid(node: Node): EntityUid {
    return node.name === '' ? { type: this.translation.names.wildcard, id: node.type } : { type: this.translation.names.node(node.type, node.name), id: node.id };
  }

  /** Nodes with an edge into `node`: its members that are nodes (the graph walked backwards). */
  private children(node: Node, visit: (child: Node) => void): void {
    if (node.name === '') return; // a Wildcard node: principals attach themselves
    const k = nodeKey(node.type, node.name, node.id);
    const def = this.translation.model.types.get(node.type);
    if (!def) return;
    if (def.relations.has(node.name)) {
      for (const child of this.store.usersets.get(k)?.values() ?? []) if (this.isGraph(child.type, child.name)) visit(child);
      for (const type of new Set(this.store.wildcards.get(k)?.values() ?? [])) visit({ type, name: '', id: WILDCARD });
      return;
    }
    const closure = this.translation.closures.get(node.type, node.name);
    for (const relation of closure.direct) visit({ type: node.type, name: relation, id: node.id });
    for (const t of closure.ttu) {
      for (const object of this.store.objects.get(nodeKey(node.type, t.tupleset, node.id))?.values() ?? []) {
        if (this.isGraph(object.type, t.computed)) visit({ type: object.type, name: t.computed, id: object.id });
      }
    }
  }

  /** The resource's node attributes that `action`'s policies read, as the nodes they name. */
  private attributes(type: string, id: string, action: string | undefined): Map<string, Node | Node[]> {
    const out = new Map<string, Node | Node[]>();
    const clauses =
      action === undefined
        ? [...this.translation.clauses.entries()].filter(([k]) => k.startsWith(`${type}#`)).flatMap(([, c]) => c)
        : (this.translation.clauses.get(`${type}#${action}`) ?? []);
    for (const clause of clauses) {
      for (const { attribute } of clauseAtomsOf(clause)) {
        if (out.has(attribute.key)) continue;
        if (attribute.kind === 'name') out.set(attribute.key, { type, name: attribute.name, id });
        else {
          const nodes: Node[] = [];
          for (const object of this.store.objects.get(nodeKey(type, attribute.tupleset, id))?.values() ?? []) {
            if (object.type === attribute.targetType) nodes.push({ type: object.type, name: attribute.computed, id: object.id });
          }
          out.set(attribute.key, nodes);
        }
      }
    }
    return out;
  }

  /** `withoutWildcard`: the principal's type wildcard grants it nothing (no `Wildcard` parent; a subject search's second phase). */
  build(request: SliceRequest, mode: EntityMode, withoutWildcard = false): CedarEntity[] {
    const { principal, resource } = request;
    const objects = new Map<string, { type: string; id: string; attributes: Map<string, Node | Node[]> }>();
    const addObject = (type: string, id: string, action: string | undefined) => {
      const attributes = this.attributes(type, id, action);
      const k = objectKey(type, id);
      const existing = objects.get(k);
      if (existing) for (const [a, v] of attributes) existing.attributes.set(a, v);
      else objects.set(k, { type, id, attributes });
    };
    addObject(resource.type, resource.id, mode === 'slice' ? request.action : undefined);
    if (mode === 'all') for (const object of this.store.knownResources()) addObject(object.type, object.id, undefined);

    // Walk back from every node an attribute names.
    const visited = new Map<string, { node: Node; parents: Set<string> }>();
    const queue: string[] = [];
    const reach = (node: Node, parent: string | undefined) => {
      const k = nodeKey(node.type, node.name, node.id);
      let entry = visited.get(k);
      if (!entry) {
        entry = { node, parents: new Set() };
        visited.set(k, entry);
        queue.push(k);
      }
      if (parent !== undefined && parent !== k) entry.parents.add(parent);
    };
    for (const object of objects.values()) {
      for (const value of object.attributes.values()) for (const node of Array.isArray(value) ? value : [value]) reach(node, undefined);
    }
    while (queue.length) {
      const k = queue.pop()!;
      this.children(visited.get(k)!.node, (child) => reach(child, k));
    }

    const representative = representatives(visited);
    const uidOf = (k: string): EntityUid => this.nodeUid(visited.get(representative.get(k) ?? k)!.node);
    const entities: CedarEntity[] = [];
    for (const [k, entry] of visited) {
      const rep = representative.get(k);
      let parents: Set<string>;
      if (rep !== undefined && rep !== k) parents = new Set([rep]);
      else if (rep === k) parents = representativeParents(k, visited, representative);
      else parents = entry.parents;
      entities.push({ uid: this.nodeUid(entry.node), attrs: {}, parents: [...parents].map((p) => this.nodeUid(visited.get(p)!.node)) });
    }

    // Objects: the principal's parents are its relation nodes in the slice, and its Wildcard (unless left out).
    const principals = mode === 'all' ? [...this.store.direct.keys()].map(splitObjectKey) : [];
    principals.push(principal);
    const objectEntities = new Map<string, CedarEntity>();
    for (const object of principals) {
      const parents: EntityUid[] = [];
      for (const node of this.store.direct.get(objectKey(object.type, object.id))?.values() ?? []) {
        const k = nodeKey(node.type, node.name, node.id);
        if (visited.has(k)) parents.push(this.nodeUid(node));
      }
      if (!withoutWildcard && visited.has(nodeKey(object.type, '', WILDCARD))) parents.push({ type: this.translation.names.wildcard, id: object.type });
      objectEntities.set(objectKey(object.type, object.id), { uid: { type: this.translation.names.object(object.type), id: object.id }, attrs: {}, parents });
    }
    for (const object of objects.values()) {
      const k = objectKey(object.type, object.id);
      const entity = objectEntities.get(k) ?? { uid: { type: this.translation.names.object(object.type), id: object.id }, attrs: {}, parents: [] };
      for (const [attribute, value] of object.attributes) {
        const ref = (node: Node) => ({ __entity: uidOf(nodeKey(node.type, node.name, node.id)) });
        entity.attrs[attribute] = Array.isArray(value) ? value.map(ref) : ref(value);
      }
      objectEntities.set(k, entity);
    }
    entities.push(...objectEntities.values());
    return entities;
  }
}

function splitObjectKey(k: string): { type: string; id: string } {
  const colon = k.indexOf(':');
  return { type: k.slice(0, colon), id: k.slice(colon + 1) };
}

/**
 * Strongly connected components of the visited graph (edges child -> parents), by Tarjan's
 * algorithm without recursion; each node of a cycle maps to its component's representative.
 */
function representatives(visited: Map<string, { parents: Set<string> }>): Map<string, string> {
  const result = new Map<string, string>();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  let counter = 0;
  for (const start of visited.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; parents: Iterator<string> }[] = [{ node: start, parents: visited.get(start)!.parents.values() }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const next = frame.parents.next();
      if (!next.done) {
        const p = next.value;
        if (!visited.has(p)) continue;
        if (!index.has(p)) {
          index.set(p, counter);
          low.set(p, counter++);
          stack.push(p);
          onStack.add(p);
          work.push({ node: p, parents: visited.get(p)!.parents.values() });
        } else if (onStack.has(p)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(p)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) for (const m of component) result.set(m, frame.node);
      }
    }
  }
  return result;
}

/** A representative's parents: every member's parents outside the component. */
function representativeParents(rep: string, visited: Map<string, { parents: Set<string> }>, representative: Map<string, string>): Set<string> {
  const parents = new Set<string>();
  for (const [member, r] of representative) {
    if (r !== rep) continue;
    for (const p of visited.get(member)!.parents) if (representative.get(p) !== rep) parents.add(p);
  }
  return parents;
}
