// The data document OPA holds for a loaded model, mirrored here so every write or delete
// becomes one small JSON Patch (RFC 6902) against `data.authzbench` instead of a full PUT.
// Layout: see translate.ts.

import { type Relationship, relationshipKey } from '../../src/core/relationship.ts';
import type { Model } from '../../src/model/types.ts';
import { ClosureIndex, edgesOf, relValue, subjectKey } from './translate.ts';

export interface PatchOp {
  op: 'add' | 'remove';
  path: string;
  value?: unknown;
}

type Tree = { [key: string]: Tree | unknown };

// OPA URL-decodes each segment of a patch path before RFC 6901's `~0`/`~1` (its
// ParsePatchPathEscaped), so a `%` in an id is sent as `%25`: `per%2F` would become `per/`.
const escapeSegment = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1').replace(/%/g, '%25');
const pointer = (segments: string[]): string => '/' + segments.map(escapeSegment).join('/');

export class OpaData {
  private rels: Tree = {};
  /** Edge multiplicity: several relationships may give the same edge. */
  private graph = new Map<string, Map<string, number>>();
  /** The edges of `graph` that pass through another relation (translate.ts edgesOf), as `gi`. */
  private indirect = new Map<string, Map<string, number>>();
  private readonly relationships = new Map<string, Relationship>();
  private closures: ClosureIndex;

  constructor(private model: Model) {
    this.closures = new ClosureIndex(model);
  }

  /** The whole document, for a PUT after loading or changing the model. */
  document(): { rels: Tree; g: Record<string, string[]>; gi: Record<string, string[]> } {
    const plain = (graph: Map<string, Map<string, number>>) => {
      const out: Record<string, string[]> = {};
      for (const [node, targets] of graph) if (targets.size) out[node] = [...targets.keys()];
      return out;
    };
    return { rels: this.rels, g: plain(this.graph), gi: plain(this.indirect) };
  }

  /** A new model keeps the relationships; the graph edges depend on the model. */
  setModel(model: Model): void {
    this.model = model;
    this.closures = new ClosureIndex(model);
    this.graph = new Map();
    this.indirect = new Map();
    for (const rel of this.relationships.values()) this.addEdges(rel, new Set());
  }

  get size(): number {
    return this.relationships.size;
  }

  write(relationships: Relationship[]): PatchOp[] {
    const ops: PatchOp[] = [];
    const touched = new Set<string>();
    for (const rel of relationships) {
      const key = relationshipKey(rel);
      const previous = this.relationships.get(key);
      if (previous) this.removeEdges(previous, touched);
      this.relationships.set(key, rel);
      this.addEdges(rel, touched);
      ops.push(this.set(['rels', rel.resource.type, rel.resource.id, rel.relation, subjectKey(rel), rel.subject.id], relValue(rel)));
    }
    ops.push(...this.graphOps(touched));
    return ops;
  }

  delete(relationships: Relationship[]): PatchOp[] {
    const ops: PatchOp[] = [];
    const touched = new Set<string>();
    for (const rel of relationships) {
      const key = relationshipKey(rel);
      const previous = this.relationships.get(key);
      if (!previous) continue;
      this.relationships.delete(key);
      this.removeEdges(previous, touched);
      const path = [rel.resource.type, rel.resource.id, rel.relation, subjectKey(rel), rel.subject.id];
      const parent = path.slice(0, -1).reduce<Tree | undefined>((node, s) => node?.[s] as Tree | undefined, this.rels);
      if (parent && path.at(-1)! in parent) {
        delete parent[path.at(-1)!];
        ops.push({ op: 'remove', path: pointer(['rels', ...path]) });
      }
    }
    ops.push(...this.graphOps(touched));
    return ops;
  }

  /** The graphs an edge goes into: `g`, and `gi` too when it skips nodes of other relations. */
  private graphsOf(indirect: boolean): readonly (readonly [Map<string, Map<string, number>>, 'g' | 'gi'])[] {
    return indirect
      ? [
          [this.graph, 'g'],
          [this.indirect, 'gi'],
        ]
      : [[this.graph, 'g']];
  }

  private addEdges(rel: Relationship, touched: Set<string>): void {
    for (const [from, to, indirect] of edgesOf(this.model, rel, this.closures)) {
      for (const [graph, name] of this.graphsOf(indirect)) {
        let targets = graph.get(from);
        if (!targets) {
          targets = new Map();
          graph.set(from, targets);
        }
        targets.set(to, (targets.get(to) ?? 0) + 1);
        touched.add(`${name}\u0000${from}`);
      }
    }
  }

  private removeEdges(rel: Relationship, touched: Set<string>): void {
    for (const [from, to, indirect] of edgesOf(this.model, rel, this.closures)) {
      for (const [graph, name] of this.graphsOf(indirect)) {
        const targets = graph.get(from);
        const n = targets?.get(to);
        if (!targets || n === undefined) continue;
        if (n <= 1) targets.delete(to);
        else targets.set(to, n - 1);
        touched.add(`${name}\u0000${from}`);
      }
    }
  }

  /** Server-side state of the graphs is "what was last sent": track it to choose add/remove (`g\0node`, `gi\0node`). */
  private sentNodes = new Set<string>();

  private graphOps(touched: Set<string>): PatchOp[] {
    const ops: PatchOp[] = [];
    for (const entry of touched) {
      const [name, node] = entry.split('\u0000') as ['g' | 'gi', string];
      const graph = name === 'g' ? this.graph : this.indirect;
      const targets = graph.get(node);
      if (targets && targets.size) {
        ops.push({ op: 'add', path: pointer([name, node]), value: [...targets.keys()] });
        this.sentNodes.add(entry);
      } else {
        graph.delete(node);
        if (this.sentNodes.delete(entry)) ops.push({ op: 'remove', path: pointer([name, node]) });
      }
    }
    return ops;
  }

  /** Call after PUTting document(): the server now holds exactly the current graph. */
  markSent(): void {
    const sent = (name: string, graph: Map<string, Map<string, number>>) => [...graph].filter(([, t]) => t.size).map(([n]) => `${name}\u0000${n}`);
    this.sentNodes = new Set([...sent('g', this.graph), ...sent('gi', this.indirect)]);
  }

  /** An `add` at the deepest existing prefix of `segments` (JSON Patch needs the parent to exist). */
  private set(segments: string[], value: unknown): PatchOp {
    // segments[0] is 'rels': the mirror root.
    let node = this.rels;
    for (let i = 1; i < segments.length; i++) {
      const segment = segments[i]!;
      if (i === segments.length - 1) {
        node[segment] = value;
        return { op: 'add', path: pointer(segments), value };
      }
      const next = node[segment];
      if (next === undefined || next === null || typeof next !== 'object') {
        let nested: unknown = value;
        for (let j = segments.length - 1; j > i; j--) nested = { [segments[j]!]: nested };
        node[segment] = structuredClone(nested);
        return { op: 'add', path: pointer(segments.slice(0, i + 1)), value: nested };
      }
      node = next as Tree;
    }
    throw new Error('unreachable');
  }
}
