// Store per tenant (the `store-per-tenant` configuration): which OpenFGA store a relationship
// or a check goes to, for a model that declares `tenancy: {type: T}`. Pure: it decides, the
// adapter creates the stores and sends the calls.
//
// The rule. An object of type T is its own tenant; any other object belongs to tenant X once a
// relationship `object#<any relation>@T:X` is written; every other object is shared (users,
// agents, groups...). A tenant's objects live in that tenant's store only. A shared object's
// relationships go to the shared store and to every tenant store, and are remembered, so a
// store created later starts with them. A check goes to the store of its resource's tenant,
// or to the shared store. An object that reaches its tenant only through a parent (no direct
// relationship to T) is shared: a check on it may be denied, which shows as a wrong answer.

import { formatObject, isWildcard, relationshipKey, type ObjectRef, type Relationship } from '../../src/core/relationship.ts';

/** Key of the shared store; a tenant store's key is its tenant object (`tenant:acme`), which always has a colon. */
export const SHARED_STORE = 'shared';

export interface TenantWritePlan {
  /** Tenants seen for the first time: create their stores (with the current model) before writing. */
  newTenants: string[];
  /** Relationships per store key, in the order to write them; a new tenant's list starts with the shared relationships written before. */
  byStore: Map<string, Relationship[]>;
}

export class TenantRouter {
  /** Object (`document:acme/1`) → its tenant's store key (`tenant:acme`), for objects not of the tenant type. */
  private readonly tenantOfObject = new Map<string, string>();
  /** Tenant store keys, in the order first seen; each has a store once its plan has been carried out. */
  private readonly tenants = new Set<string>();
  /** Relationships written to every store, by identity, so stores created later receive them too. */
  private readonly replicated = new Map<string, Relationship>();

  constructor(readonly tenantType: string) {}

  /** Tenant store keys, in the order first seen. */
  tenantStores(): string[] {
    return [...this.tenants];
  }

  /** Every store key: the shared store first, then the tenants. */
  allStores(): string[] {
    return [SHARED_STORE, ...this.tenants];
  }

  /** Where a check on `resource` goes: its tenant's store, or the shared store when it has no tenant (or its tenant no store). */
  storeFor(resource: ObjectRef): string {
    const tenant = this.tenantOf(resource);
    return tenant && this.tenants.has(tenant) ? tenant : SHARED_STORE;
  }

  /**
   * Routes one write batch. Tenants are assigned from the whole batch before routing, so a
   * tenant relationship may come after the object's other relationships. Throws when an
   * object would belong to two tenants: store per tenant cannot represent that.
   */
  planWrite(relationships: readonly Relationship[]): TenantWritePlan {
    const claims = this.claimsOf(relationships);
    const newTenants: string[] = [];
    const seeTenant = (tenant: string) => {
      if (this.tenants.has(tenant)) return;
      this.tenants.add(tenant);
      newTenants.push(tenant);
    };
    for (const r of relationships) if (r.resource.type === this.tenantType) seeTenant(formatObject(r.resource));
    for (const [object, tenant] of claims) {
      this.tenantOfObject.set(object, tenant);
      seeTenant(tenant);
    }

    const byStore = new Map<string, Relationship[]>();
    for (const tenant of newTenants) byStore.set(tenant, [...this.replicated.values()]);
    for (const r of relationships) {
      const tenant = this.tenantOf(r.resource);
      if (tenant) {
        append(byStore, tenant, r);
        continue;
      }
      for (const store of this.allStores()) append(byStore, store, r);
      this.replicated.set(relationshipKey(r), r);
    }
    return { newTenants, byStore };
  }

  /**
   * Routes one delete batch like writes, without assigning tenants: a relationship that was
   * replicated is deleted from every store (even if its object has been claimed by a tenant
   * since); a tenant's relationship from that tenant's store; anything else from the shared store.
   */
  planDelete(relationships: readonly Relationship[]): Map<string, Relationship[]> {
    const byStore = new Map<string, Relationship[]>();
    for (const r of relationships) {
      if (this.replicated.delete(relationshipKey(r))) {
        for (const store of this.allStores()) append(byStore, store, r);
        continue;
      }
      append(byStore, this.storeFor(r.resource), r);
    }
    return byStore;
  }

  private tenantOf(object: ObjectRef): string | undefined {
    return object.type === this.tenantType ? formatObject(object) : this.tenantOfObject.get(formatObject(object));
  }

  /** Objects the batch assigns to a tenant (`object#r@T:X`), checked against each other and earlier assignments. */
  private claimsOf(relationships: readonly Relationship[]): Map<string, string> {
    const claims = new Map<string, string>();
    const why = new Map<string, string>();
    for (const r of relationships) {
      const { subject } = r;
      if (subject.type !== this.tenantType || subject.relation || isWildcard(subject)) continue;
      const object = formatObject(r.resource);
      const tenant = formatObject(subject);
      const earlier = claims.get(object) ?? this.tenantOf(r.resource);
      if (earlier && earlier !== tenant) {
        const earlierWhy = why.get(object) ?? (r.resource.type === this.tenantType ? `it is a ${this.tenantType}` : 'an earlier write');
        throw new Error(
          `store per tenant cannot represent ${object}: it belongs to tenant ${earlier} (${earlierWhy}) and to tenant ${tenant} (${relationshipKey(r)}); ` +
            'each object must belong to one tenant',
        );
      }
      claims.set(object, tenant);
      if (!why.has(object)) why.set(object, relationshipKey(r));
    }
    return claims;
  }
}

function append(byStore: Map<string, Relationship[]>, store: string, r: Relationship): void {
  const list = byStore.get(store);
  if (list) list.push(r);
  else byStore.set(store, [r]);
}
