// Valid records of any entity, built from GET /api/v1/meta/{entity}: a new entity registered by
// any domain gets sample records (and so the access matrix) without a change here.
import assert from 'node:assert/strict';
import {show, uniq} from './api.js';

/** @typedef {import('./api.js').Api} Api */

const metaCache = new WeakMap();

/**
 * Properties beyond the entity's fields that a domain's create route requires (the only
 * entity-specific knowledge here; everything else comes from the metadata).
 */
const EXTRA_CREATE_PROPERTIES = {
    pipelines: () => ({
        stages: [
            {name: 'New', kind: 'open'},
            {name: 'Won', kind: 'won'},
            {name: 'Lost', kind: 'lost'},
        ],
    }),
    sales_plans: () => ({period: '2020-01'}),
    campaign_costs: () => ({period: '2020-01'}),
    reports: () => ({definition: {entity: 'deals', group_by: ['owner_id'], aggregate: ['count']}}),
};

/** Field descriptions of every entity, by name, as the caller's company sees them. */
export async function entities(api) {
    let cached = metaCache.get(api);
    if (!cached) {
        const body = await api.getOk('/api/v1/meta');
        cached = new Map(body.data.map((e) => [e.name, e]));
        metaCache.set(api, cached);
    }
    return cached;
}

/**
 * A record of `entity` for a reference field: an existing one that agrees with the references
 * already chosen for the record being built (a stage of the deal's pipeline), else a new one.
 */
async function referenced(api, entity, chosen, depth) {
    const meta = (await entities(api)).get(entity);
    assert.ok(meta, `referenced entity ${entity} is described by /api/v1/meta`);
    const overrides = {};
    for (const g of meta.fields) {
        if (g.type === 'reference' && !g.read_only && chosen.has(g.ref_entity)) {
            overrides[g.name] = chosen.get(g.ref_entity);
        }
    }
    const filters = Object.entries(overrides).map(([k, v]) => `&filter[${k}]=${v}`).join('');
    const existing = await api.get(`/api/v1/${entity}?limit=1${filters}`);
    if (existing.status === 200 && existing.json.data.length > 0 && Object.keys(overrides).length > 0) {
        return existing.json.data[0].id;
    }
    return (await createRecord(api, entity, overrides, depth + 1)).id;
}

/** A value the engine accepts for a field, creating referenced records as needed. */
async function sampleValue(api, field, depth, chosen) {
    const tag = uniq('s');
    switch (field.type) {
        case 'text':
            return `Sample ${tag}`;
        case 'email':
            return `${tag}@example.com`;
        case 'phone':
            return '+7 915 123-45-67';
        case 'url':
            return `https://${tag}.example.com/`;
        case 'money':
            return '100.00';
        case 'currency':
            return 'RUB';
        case 'integer':
            return 1;
        case 'number':
            return 1.5;
        case 'bool':
            return true;
        case 'date':
            return '2020-01-31';
        case 'datetime':
            return '2020-01-31T09:00:00Z';
        case 'enum':
            return field.options[0];
        case 'multi_enum':
            return [field.options[0]];
        case 'user': {
            const me = await api.getOk('/api/v1/me');
            return me.id;
        }
        case 'reference':
            return depth > 4 ? null : referenced(api, field.ref_entity, chosen, depth);
        case 'json':
            // A list of users is the one JSON shape domains validate so far (distribution rules).
            return field.name.endsWith('user_ids') ? [(await api.getOk('/api/v1/me')).id] : {};
        default:
            return `Sample ${tag}`;
    }
}

/**
 * Creates a record of `entity` with `overrides` plus sample values for required fields (and for
 * any field a 400 names, retried a few times). Returns the created body.
 */
export async function createRecord(api, entity, overrides = {}, depth = 0) {
    const meta = (await entities(api)).get(entity);
    assert.ok(meta, `entity ${entity} is described by /api/v1/meta`);
    const byName = new Map(meta.fields.map((f) => [f.name, f]));
    const body = {...(EXTRA_CREATE_PROPERTIES[entity]?.() ?? {}), ...overrides};
    /** ref_entity -> id chosen for this record, so dependent references agree */
    const chosen = new Map();
    const remember = () => {
        for (const f of meta.fields) {
            if (f.type === 'reference' && typeof body[f.name] === 'string') {
                chosen.set(f.ref_entity, body[f.name]);
            }
        }
    };
    remember();
    for (const f of meta.fields) {
        if (f.required && !f.read_only && !(f.name in body)) {
            body[f.name] = await sampleValue(api, f, depth, chosen);
            remember();
        }
        const currency = byName.get(f.currency_field);
        if (f.type === 'money' && f.name in body && currency && !currency.read_only && !(f.currency_field in body)) {
            body[f.currency_field] = 'RUB';
        }
    }
    let res;
    for (let attempt = 0; attempt < 4; attempt++) {
        res = await api.post(`/api/v1/${entity}`, body);
        if (res.status === 201) {
            return res.json;
        }
        if (res.status !== 400 || !Array.isArray(res.json?.errors)) {
            assert.fail(`cannot create a sample ${entity}: ${show(res)}`);
        }
        let changed = false;
        for (const e of res.json.errors) {
            const f = byName.get(e.field);
            if (f && (f.read_only || /read-only/.test(e.message)) && f.name in body && !(f.name in overrides)) {
                delete body[f.name];
                changed = true;
            } else if (f && !f.read_only && !(f.name in overrides)) {
                chosen.delete(f.ref_entity);
                body[f.name] = await sampleValue(api, f, depth, chosen);
                remember();
                changed = true;
            }
        }
        if (!changed) {
            assert.fail(`cannot create a sample ${entity}: ${show(res)}`);
        }
    }
    assert.fail(`cannot create a sample ${entity} after retries: ${show(res)}`);
}
