// Custom roles: the rules document `/api/v1/roles` takes (per-entity scopes for read/create/edit/
// delete, hidden and read-only fields, and the three administrative flags), edited immutably.
import { api } from '../../api/client';
import { useResource } from '../../api/store';
import { rowsOf } from '../analytics/api';
import type { components } from '../../api/generated/schema';

type Schemas = components['schemas'];

export const SCOPES = ['none', 'own', 'team', 'all'] as const satisfies readonly Schemas['RoleScope'][];
export type Scope = Schemas['RoleScope'];
export const ACTIONS = ['read', 'create', 'edit', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];
export const FLAGS = ['manage_users', 'manage_metadata', 'view_audit'] as const;
export type Flag = (typeof FLAGS)[number];
export const BUILTIN_ROLES = ['admin', 'manager', 'user'] as const;

// From the server's OpenAPI document (`npm run gen:api`); the editor keeps both field lists
// spelled out for every entity, where the server may leave them out of `default`.
export type EntityRules = Required<Schemas['RoleEntityRules']>;
export type Rules = Omit<Schemas['RoleRules'], 'entities' | 'default'> & { entities: Record<string, EntityRules>; default?: EntityRules };
export type Role = Schemas['Role'];
/** A role as listed: a server without custom roles names only the built-in three. */
export type RoleEntry = Pick<Role, 'id' | 'name' | 'builtin'> & Partial<Role>;

function isScope(v: unknown): v is Scope {
  return typeof v === 'string' && (SCOPES as readonly string[]).includes(v);
}

/** What a new custom role starts with: a rep's rights (own records, no deleting). */
export function starterEntity(): EntityRules {
  return { read: 'own', create: 'own', edit: 'own', delete: 'none', hidden_fields: [], read_only_fields: [] };
}

function entityFrom(raw: unknown, fallback: EntityRules): EntityRules {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const list = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
  return {
    read: isScope(o.read) ? o.read : fallback.read,
    create: isScope(o.create) ? o.create : fallback.create,
    edit: isScope(o.edit) ? o.edit : fallback.edit,
    delete: isScope(o.delete) ? o.delete : fallback.delete,
    hidden_fields: list(o.hidden_fields),
    read_only_fields: list(o.read_only_fields),
  };
}

/** A role's rules with every listed entity spelled out (missing ones take `default`). */
export function normalizeRules(raw: unknown, entities: readonly string[]): Rules {
  let v = raw;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      v = {};
    }
  }
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const fallback = o.default ? entityFrom(o.default, starterEntity()) : starterEntity();
  const given = (o.entities && typeof o.entities === 'object' ? o.entities : {}) as Record<string, unknown>;
  const out: Record<string, EntityRules> = {};
  for (const e of new Set([...entities, ...Object.keys(given)])) out[e] = entityFrom(given[e], { ...fallback, hidden_fields: [], read_only_fields: [] });
  return {
    entities: out,
    ...(o.default ? { default: fallback } : {}),
    manage_users: o.manage_users === true,
    manage_metadata: o.manage_metadata === true,
    view_audit: o.view_audit === true,
  };
}

export function setScope(rules: Rules, entity: string, action: Action, scope: Scope): Rules {
  const cur = rules.entities[entity] ?? starterEntity();
  return { ...rules, entities: { ...rules.entities, [entity]: { ...cur, [action]: scope } } };
}

/** Turns a field rule on or off. A hidden field cannot also be read-only: hiding it clears that. */
export function setFieldRule(rules: Rules, entity: string, kind: 'hidden_fields' | 'read_only_fields', field: string, on: boolean): Rules {
  const cur = rules.entities[entity] ?? starterEntity();
  const toggle = (list: string[], add: boolean) => (add ? (list.includes(field) ? list : [...list, field]) : list.filter((f) => f !== field));
  const next: EntityRules = { ...cur, [kind]: toggle(cur[kind], on) };
  if (kind === 'hidden_fields' && on) next.read_only_fields = toggle(cur.read_only_fields, false);
  return { ...rules, entities: { ...rules.entities, [entity]: next } };
}

export function setFlag(rules: Rules, flag: Flag, on: boolean): Rules {
  return { ...rules, [flag]: on };
}

/** "rules.entities.deals.hidden_fields[0]" → "entities.deals.hidden_fields.0": one spelling to match on. */
export function normalizePath(key: string): string {
  return key
    .replace(/^\/+/, '')
    .replace(/\//g, '.')
    .replace(/\[(\w+)\]/g, '.$1')
    .replace(/^rules\./, '');
}

/** Server messages whose field path lies under `prefix` (e.g. "entities.deals.read"), joined. */
export function errorUnder(errors: Record<string, string>, prefix: string): string | undefined {
  const found = Object.entries(errors)
    .filter(([k]) => {
      const p = normalizePath(k);
      return p === prefix || p.startsWith(`${prefix}.`);
    })
    .map(([, v]) => v);
  return found.length ? [...new Set(found)].join('; ') : undefined;
}

/** Whether a role is one of the built-in three (read-only in the editor). */
export function isBuiltin(role: Pick<Role, 'id'> & Partial<Pick<Role, 'builtin'>>): boolean {
  return role.builtin === true || (BUILTIN_ROLES as readonly string[]).includes(role.id);
}

/** Roles from the server; on a server without custom roles, the built-in three. */
export function useRoles() {
  return useResource<{ roles: RoleEntry[]; custom: boolean }>('roles', () =>
    api.get<unknown>('/roles').then(
      (r) => ({ roles: rowsOf<RoleEntry>(r, ['data', 'roles']), custom: true }),
      (e: unknown) => {
        if ((e as { status?: number }).status === 404) return { roles: BUILTIN_ROLES.map((id) => ({ id, name: id, builtin: true })), custom: false };
        throw e;
      },
    ),
  );
}
