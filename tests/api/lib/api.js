// HTTP helpers shared by the API tests: the fixture written by run.sh, a small JSON client over
// built-in fetch, raw sockets for bytes fetch refuses to send, and problem+json assertions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';

/**
 * @typedef {{email: string, password?: string, token?: string, id?: string}} Account
 * @typedef {{
 *   backend: string, base_url: string, db: string, pid: number, log: string,
 *   a: {name: string, admin: Account, admin_read_only: Account, user: Account, manager: Account,
 *       leaver: Account, throttled: Account},
 *   b: {name: string, tenant_id: number, admin: Account, user: Account},
 * }} Backend
 * @typedef {{binary: string, work_dir: string, backends: Backend[]}} Fixture
 */

/** @returns {Fixture} */
export function loadFixture() {
    const path = process.env.VORONKA_API_FIXTURE;
    if (!path) {
        throw new Error('VORONKA_API_FIXTURE is not set: run the tests through tests/api/run.sh BINARY');
    }
    return JSON.parse(fs.readFileSync(path, 'utf8'));
}

export const fixture = loadFixture();

/** A short random suffix that keeps names of one run apart. */
export function uniq(prefix = 't') {
    return `${prefix}${crypto.randomBytes(5).toString('hex')}`;
}

/**
 * @typedef {{status: number, headers: Headers, text: string, json: any, method: string, path: string}} ApiResponse
 */

/** One caller: a base URL plus a bearer token or a session cookie. */
export class Api {
    /**
     * @param {string} baseUrl
     * @param {{token?: string, cookie?: string, csrf?: string}} [auth]
     */
    constructor(baseUrl, auth = {}) {
        this.baseUrl = baseUrl;
        this.auth = auth;
    }

    /** @param {{token?: string, cookie?: string, csrf?: string}} auth */
    as(auth) {
        return new Api(this.baseUrl, auth);
    }

    anonymous() {
        return new Api(this.baseUrl, {});
    }

    /**
     * @param {string} method
     * @param {string} path
     * @param {{body?: any, rawBody?: string|Buffer, headers?: Record<string, string>}} [options]
     * @returns {Promise<ApiResponse>}
     */
    async request(method, path, options = {}) {
        const headers = {...(options.headers ?? {})};
        if (this.auth.token) {
            headers.authorization ??= `Bearer ${this.auth.token}`;
        }
        if (this.auth.cookie) {
            headers.cookie ??= this.auth.cookie;
        }
        if (this.auth.csrf) {
            headers['x-csrf-token'] ??= this.auth.csrf;
        }
        let body;
        if (options.rawBody !== undefined) {
            body = options.rawBody;
        } else if (options.body !== undefined) {
            body = JSON.stringify(options.body);
            headers['content-type'] ??= 'application/json';
        }
        const res = await fetch(this.baseUrl + path, {method, headers, body, redirect: 'manual'});
        const text = await res.text();
        let json;
        if (text.length > 0 && /json/.test(res.headers.get('content-type') ?? '')) {
            try {
                json = JSON.parse(text);
            } catch {
                json = undefined;
            }
        }
        return {status: res.status, headers: res.headers, text, json, method, path};
    }

    get(path, options) {
        return this.request('GET', path, options);
    }

    post(path, body, options = {}) {
        return this.request('POST', path, {...options, body});
    }

    patch(path, body, options = {}) {
        return this.request('PATCH', path, {...options, body});
    }

    delete(path, options) {
        return this.request('DELETE', path, options);
    }

    /** GET that must succeed; returns the parsed body. */
    async getOk(path) {
        const res = await this.get(path);
        assert.equal(res.status, 200, show(res));
        return res.json;
    }

    /** Every item of a list, following next_cursor. */
    async listAll(path, pageSize = 500) {
        const items = [];
        const sep = path.includes('?') ? '&' : '?';
        let cursor = null;
        for (let page = 0; page < 1000; page++) {
            const url = `${path}${sep}limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
            const body = await this.getOk(url);
            items.push(...body.data);
            cursor = body.next_cursor;
            if (!cursor) {
                return items;
            }
        }
        throw new Error(`listAll ${path}: more than 1000 pages`);
    }

    /** The sequence number of the newest event of the caller's company (admin only). */
    async lastEventSeq() {
        let after = 0;
        for (let page = 0; page < 10000; page++) {
            const body = await this.getOk(`/api/v1/events?after=${after}&limit=1000`);
            if (body.data.length === 0) {
                return after;
            }
            after = body.next_after;
        }
        throw new Error('lastEventSeq: the event log does not end');
    }

    /** Events after `seq` (admin only). */
    async eventsAfter(seq) {
        const body = await this.getOk(`/api/v1/events?after=${seq}&limit=1000`);
        return body.data;
    }
}

/** @param {Backend} backend */
export function clients(backend) {
    const base = backend.base_url;
    return {
        anon: new Api(base),
        admin: new Api(base, {token: backend.a.admin.token}),
        adminRo: new Api(base, {token: backend.a.admin_read_only.token}),
        user: new Api(base, {token: backend.a.user.token}),
        manager: new Api(base, {token: backend.a.manager.token}),
        leaver: new Api(base, {token: backend.a.leaver.token}),
        adminB: new Api(base, {token: backend.b.admin.token}),
        userB: new Api(base, {token: backend.b.user.token}),
    };
}

/** A one-line description of a response for assertion messages. */
export function show(res) {
    const body = res.text.length > 600 ? `${res.text.slice(0, 600)}...` : res.text;
    return `${res.method} ${res.path.length > 200 ? `${res.path.slice(0, 200)}...` : res.path} -> ${res.status} ${body}`;
}

const PROBLEM_SLUGS = {
    400: 'validation',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not-found',
    409: 'conflict',
    412: 'precondition-failed',
    413: 'payload-too-large',
    429: 'rate-limited',
    503: 'unavailable',
};

/**
 * Asserts an RFC 9457 problem: status, Content-Type, `type` and `status` members, and when
 * `field` is given an entry of `errors` naming it (a string or a predicate on the name).
 * @param {ApiResponse} res
 * @param {number} status
 * @param {string|((name: string) => boolean)} [field]
 */
export function assertProblem(res, status, field) {
    assert.equal(res.status, status, show(res));
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, show(res));
    assert.ok(res.json && typeof res.json === 'object', `problem body is JSON: ${show(res)}`);
    assert.equal(res.json.status, status, show(res));
    const slug = PROBLEM_SLUGS[status];
    if (slug) {
        assert.equal(res.json.type, `https://voronka.dev/problems/${slug}`, show(res));
    } else {
        assert.equal(typeof res.json.type, 'string', show(res));
    }
    assert.equal(typeof res.json.title, 'string', show(res));
    if (field !== undefined) {
        const match = typeof field === 'function' ? field : (name) => name === field;
        assert.ok(
            Array.isArray(res.json.errors) && res.json.errors.some((e) => match(e.field)),
            `errors[] should name ${typeof field === 'string' ? field : 'the field'}: ${show(res)}`,
        );
        for (const e of res.json.errors) {
            assert.equal(typeof e.message, 'string', show(res));
        }
    }
}

export const SECURITY_HEADERS = {
    'content-security-policy': /default-src 'self'/,
    'x-content-type-options': /^nosniff$/,
    'referrer-policy': /^no-referrer$/,
    'x-frame-options': /^DENY$/,
};

/** Every response carries the security headers. @param {{headers: Headers|Record<string,string>}} res */
export function assertSecurityHeaders(res, context = '') {
    const get = (name) => (res.headers instanceof Headers ? res.headers.get(name) : res.headers[name]);
    for (const [name, pattern] of Object.entries(SECURITY_HEADERS)) {
        assert.match(get(name) ?? '', pattern, `${name} on ${context || show(res)}`);
    }
}

/**
 * Sends exact bytes on a fresh connection and reads the response until the server closes or the
 * first response is complete. For bytes fetch will not send (invalid UTF-8 in the target, CR/LF,
 * conflicting framing headers, lying Content-Length).
 * @param {string} baseUrl
 * @param {Buffer|string} bytes
 * @param {{timeoutMs?: number, localAddress?: string, waitClose?: boolean}} [options]
 * @returns {Promise<{status: number, headers: Record<string, string>, rawHeaders: string, body: string, json: any, raw: string}>}
 */
export function rawRequest(baseUrl, bytes, options = {}) {
    const url = new URL(baseUrl);
    return new Promise((resolve, reject) => {
        const socket = net.connect({host: url.hostname, port: Number(url.port), localAddress: options.localAddress});
        const chunks = [];
        let done = false;
        const finish = () => {
            if (done) {
                return;
            }
            done = true;
            clearTimeout(timer);
            socket.destroy();
            const raw = Buffer.concat(chunks).toString('latin1');
            const parsed = parseRawResponse(raw);
            if (!parsed) {
                reject(new Error(`no HTTP response to raw request (got ${JSON.stringify(raw.slice(0, 200))})`));
                return;
            }
            resolve(parsed);
        };
        const timer = setTimeout(finish, options.timeoutMs ?? 10000);
        socket.on('data', (chunk) => {
            chunks.push(chunk);
            const parsed = parseRawResponse(Buffer.concat(chunks).toString('latin1'));
            if (parsed && parsed.complete && !options.waitClose) {
                finish();
            }
        });
        socket.on('end', finish);
        socket.on('close', finish);
        socket.on('error', () => finish());
        socket.write(bytes);
    });
}

function parseRawResponse(raw) {
    const end = raw.indexOf('\r\n\r\n');
    if (end < 0) {
        return null;
    }
    const head = raw.slice(0, end);
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!m) {
        return null;
    }
    const headers = {};
    for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) {
            const name = line.slice(0, colon).trim().toLowerCase();
            headers[name] = headers[name] ? `${headers[name]}, ${line.slice(colon + 1).trim()}` : line.slice(colon + 1).trim();
        }
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyLatin1 = raw.slice(end + 4);
    const bodyBytes = Buffer.from(bodyLatin1, 'latin1');
    const complete = bodyBytes.length >= length;
    const body = bodyBytes.subarray(0, length).toString('utf8');
    let json;
    try {
        json = body ? JSON.parse(body) : undefined;
    } catch {
        json = undefined;
    }
    return {status: Number(m[1]), headers, rawHeaders: head, body, json, raw, complete, rest: bodyBytes.subarray(length).toString('latin1')};
}

/**
 * A request through node:http from a chosen local address (127.0.0.x), so tests that trip the
 * per-address login throttle do not lock out the rest of the suite.
 * @returns {Promise<{status: number, headers: Record<string, string|string[]>, text: string, json: any}>}
 */
export function requestFrom(baseUrl, localAddress, method, path, body, headers = {}) {
    const url = new URL(baseUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: url.hostname,
                port: Number(url.port),
                method,
                path,
                localAddress,
                headers: {
                    ...(payload ? {'content-type': 'application/json', 'content-length': Buffer.byteLength(payload)} : {}),
                    ...headers,
                },
                agent: false,
            },
            (res) => {
                let text = '';
                res.setEncoding('utf8');
                res.on('data', (d) => (text += d));
                res.on('end', () => {
                    let json;
                    try {
                        json = text ? JSON.parse(text) : undefined;
                    } catch {
                        json = undefined;
                    }
                    resolve({status: res.statusCode ?? 0, headers: res.headers, text, json});
                });
            },
        );
        req.on('error', reject);
        if (payload) {
            req.write(payload);
        }
        req.end();
    });
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function pool(items, limit, fn) {
    const results = new Array(items.length);
    let next = 0;
    const workers = Array.from({length: Math.min(limit, items.length)}, async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i], i);
        }
    });
    await Promise.all(workers);
    return results;
}
