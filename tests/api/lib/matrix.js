// The access matrix is generated from the route table as /api/v1/openapi.json publishes it: every
// path and method there is called as every kind of caller, so a route added anywhere is covered.
import assert from 'node:assert/strict';
import {show, uniq} from './api.js';
import {createRecord, entities} from './records.js';

/**
 * Operations anyone may call. A route that OpenAPI marks public (`security: []`) but that is not
 * listed here fails the suite: a forgotten guard must not pass as "public". Add a route here only
 * when it is meant to be open to the internet.
 */
export const PUBLIC_ROUTES = new Set([
    'GET /healthz',
    'GET /readyz',
    'GET /metrics',
    'GET /api/v1/openapi.json',
    'POST /api/v1/auth/login',
]);

/**
 * Operations only administrators may call, as rules on the path pattern so that new routes under
 * these prefixes are covered too (the access issue's matrix: users, teams, metadata, audit, events).
 */
const ADMIN_RULES = [
    {methods: /^(POST|PUT|PATCH|DELETE)$/, path: /^\/api\/v1\/(users|teams|roles|settings)(\/|$)/},
    {methods: /^(POST|PUT|PATCH|DELETE)$/, path: /^\/api\/v1\/meta(\/|$)/},
    {methods: /./, path: /^\/api\/v1\/(audit|events|roles)(\/|$)/},
];

/** The service operator's routes (cloud mode): no company's credentials reach them. */
const OPERATOR_PATH = /^\/api\/v1\/operator(\/|$)/;

/** Writes a read-only token may still make: signing out changes nothing but the caller's own cookie. */
export const READ_ONLY_EXEMPT = new Set(['POST /api/v1/auth/logout']);

/**
 * @typedef {{method: string, path: string, key: string, params: string[], public: boolean,
 *            admin: boolean, operator: boolean, write: boolean}} Operation
 */

/** @returns {boolean} */
export function isAdminOperation(method, path) {
    return ADMIN_RULES.some((r) => r.methods.test(method) && r.path.test(path));
}

/** Every operation of an OpenAPI document. @returns {Operation[]} */
export function operations(doc) {
    const ops = [];
    for (const [path, item] of Object.entries(doc.paths)) {
        for (const [lower, op] of Object.entries(item)) {
            if (!['get', 'post', 'put', 'patch', 'delete'].includes(lower)) {
                continue;
            }
            const method = lower.toUpperCase();
            const security = op.security ?? doc.security;
            ops.push({
                method,
                path,
                key: `${method} ${path}`,
                params: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
                public: Array.isArray(security) && security.length === 0,
                admin: isAdminOperation(method, path),
                operator: OPERATOR_PATH.test(path),
                write: method !== 'GET',
            });
        }
    }
    return ops;
}

/**
 * Ids of one company's resources to put into paths: a record of every entity, a user, an API
 * token and a session.
 * @typedef {{records: Record<string, string>, userId: string, tokenId: string, sessionId: string,
 *            sessionCookie: string, tenantId: number}} Ids
 */

/**
 * Creates a fresh set of resources in the admin's company: one record per entity (owned by the
 * admin), an API token and a signed-in session.
 * @param {import('./api.js').Api} admin
 * @param {{email: string, password: string}} account the admin's login
 * @param {string} userId a user id of the company for /users/{id}
 * @returns {Promise<Ids>}
 */
export async function freshIds(admin, account, userId) {
    const records = {};
    for (const name of (await entities(admin)).keys()) {
        records[name] = (await createRecord(admin, name, {})).id;
    }
    const token = await admin.post('/api/v1/tokens', {name: uniq('matrix-')});
    assert.equal(token.status, 201, show(token));
    const login = await admin.anonymous().post('/api/v1/auth/login', {email: account.email, password: account.password});
    assert.equal(login.status, 200, show(login));
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const sessions = await admin.as({cookie}).getOk('/api/v1/sessions');
    assert.ok(sessions.data.length > 0);
    const me = await admin.getOk('/api/v1/me');
    return {records, userId, tokenId: token.json.id, sessionId: sessions.data[0].id, sessionCookie: cookie, tenantId: me.tenant_id};
}

/** The concrete path of `op` with ids substituted: the id of the resource the path names. */
export function fill(op, ids) {
    return op.path.replace(/\{([^}]+)\}/g, () => {
        const first = op.path.split('/')[3];
        if (first === 'users') {
            return ids.userId;
        }
        if (first === 'tokens') {
            return ids.tokenId;
        }
        if (first === 'sessions') {
            return ids.sessionId;
        }
        if (first === 'operator') {
            return String(ids.tenantId);
        }
        return ids.records[first] ?? ids.records.contacts;
    });
}

/** A well-formed id that names nothing. */
export const NO_SUCH_ID = '00000000000000000000000000';

/** The same shape as `ids`, every id naming nothing. @returns {Ids} */
export function bogusIds(ids) {
    return {
        records: Object.fromEntries(Object.keys(ids.records).map((k) => [k, NO_SUCH_ID])),
        userId: NO_SUCH_ID,
        tokenId: NO_SUCH_ID,
        sessionId: NO_SUCH_ID,
        sessionCookie: '',
        tenantId: 999999999,
    };
}

/** A body that gets past validation to the access checks where possible. */
export function bodyFor(op) {
    if (op.path.endsWith('/revert')) {
        return {version: 1};
    }
    return op.write ? {} : undefined;
}

/** Calls `op` as `api`. */
export function call(api, op, ids, extraHeaders = {}) {
    const body = bodyFor(op);
    return api.request(op.method, fill(op, ids), {body, headers: extraHeaders});
}

/** Collects failures of a matrix so one run reports every broken cell, not just the first. */
export class Cells {
    constructor(title) {
        this.title = title;
        this.failures = [];
        this.count = 0;
    }

    check(op, ok, message) {
        this.count++;
        if (!ok) {
            this.failures.push(`${op.key}: ${message}`);
        }
    }

    done() {
        assert.ok(this.count > 0, `${this.title}: no operation was checked`);
        assert.equal(this.failures.length, 0, `${this.title}: ${this.failures.length} of ${this.count} cells fail:\n  ${this.failures.join('\n  ')}`);
    }
}
