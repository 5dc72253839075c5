import { describe, expect, it } from 'vitest';
import { errorUnder, isBuiltin, normalizePath, normalizeRules, setFieldRule, setFlag, setScope, starterEntity } from './roles';

describe('role rules', () => {
  it('spells out every entity, taking the default for missing ones and dropping bad scopes', () => {
    const r = normalizeRules(
      {
        entities: { deals: { read: 'team', create: 'own', edit: 'everything', delete: 'none', hidden_fields: ['amount', 7], read_only_fields: ['probability'] } },
        default: { read: 'all', create: 'none', edit: 'none', delete: 'none' },
        manage_users: true,
        view_audit: 'yes',
      },
      ['deals', 'contacts'],
    );
    expect(r.entities.deals).toEqual({ read: 'team', create: 'own', edit: 'none', delete: 'none', hidden_fields: ['amount'], read_only_fields: ['probability'] });
    expect(r.entities.contacts).toEqual({ read: 'all', create: 'none', edit: 'none', delete: 'none', hidden_fields: [], read_only_fields: [] });
    expect(r.manage_users).toBe(true);
    expect(r.view_audit).toBe(false);
    expect(r.manage_metadata).toBe(false);
  });

  it('starts a new role with a rep’s rights', () => {
    const r = normalizeRules(undefined, ['deals']);
    expect(r.entities.deals).toEqual(starterEntity());
    expect(r.default).toBeUndefined();
    expect(normalizeRules('{"entities":{"leads":{"read":"all"}}}', []).entities.leads?.read).toBe('all');
  });

  it('changes one cell without touching the others', () => {
    const before = normalizeRules({}, ['deals', 'leads']);
    const after = setScope(before, 'deals', 'delete', 'team');
    expect(after.entities.deals?.delete).toBe('team');
    expect(after.entities.deals?.read).toBe('own');
    expect(after.entities.leads).toBe(before.entities.leads);
    expect(before.entities.deals?.delete).toBe('none');
    expect(setFlag(before, 'manage_metadata', true).manage_metadata).toBe(true);
  });

  it('keeps a hidden field out of the read-only list', () => {
    let r = normalizeRules({}, ['deals']);
    r = setFieldRule(r, 'deals', 'read_only_fields', 'amount', true);
    r = setFieldRule(r, 'deals', 'read_only_fields', 'amount', true);
    expect(r.entities.deals?.read_only_fields).toEqual(['amount']);
    r = setFieldRule(r, 'deals', 'hidden_fields', 'amount', true);
    expect(r.entities.deals?.hidden_fields).toEqual(['amount']);
    expect(r.entities.deals?.read_only_fields).toEqual([]);
    r = setFieldRule(r, 'deals', 'hidden_fields', 'amount', false);
    expect(r.entities.deals?.hidden_fields).toEqual([]);
  });
});

describe('server messages beside the matrix', () => {
  it.each([
    ['rules.entities.deals.read', 'entities.deals.read'],
    ['entities.deals.hidden_fields[0]', 'entities.deals.hidden_fields.0'],
    ['/rules/entities/deals/edit', 'entities.deals.edit'],
    ['name', 'name'],
  ])('normalizes %s', (k, out) => expect(normalizePath(k)).toBe(out));

  it('finds the messages under a path, and only those', () => {
    const errors = { 'rules.entities.deals.read': 'unknown scope', 'rules.entities.deals.hidden_fields[1]': 'unknown field "amout"', 'rules.entities.dealsx': 'unknown entity', name: 'required' };
    expect(errorUnder(errors, 'entities.deals.read')).toBe('unknown scope');
    expect(errorUnder(errors, 'entities.deals.hidden_fields')).toBe('unknown field "amout"');
    expect(errorUnder(errors, 'entities.deals')).toBe('unknown scope; unknown field "amout"');
    expect(errorUnder(errors, 'entities.dealsx')).toBe('unknown entity');
    expect(errorUnder(errors, 'entities.leads')).toBeUndefined();
  });

  it('tells built-in roles apart', () => {
    expect(isBuiltin({ id: 'admin' })).toBe(true);
    expect(isBuiltin({ id: '17', builtin: false })).toBe(false);
    expect(isBuiltin({ id: 'x', builtin: true })).toBe(true);
  });
});
