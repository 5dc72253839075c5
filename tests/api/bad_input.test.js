// Bad input never crashes the server and never writes partially: every case below answers with a
// problem (or a normal result), and afterwards /healthz answers and nothing was written.
import assert from 'node:assert/strict';
import {describe, test, before, after} from 'node:test';

import {assertProblem, assertSecurityHeaders, clients, fixture, rawRequest, show, uniq} from './lib/api.js';

const PROBLEM_TYPE = /^application\/problem\+json/;

/** GET /api/v1/{entity} for every entity, counted by paging (admin sees everything). */
async function countAll(admin) {
    const meta = await admin.getOk('/api/v1/meta');
    const counts = {};
    for (const e of meta.data) {
        counts[e.name] = (await admin.listAll(`/api/v1/${e.name}?sort=id`)).length;
    }
    return counts;
}

/** A request line + headers + body as raw bytes. */
function raw(method, target, {headers = {}, body} = {}, host = '127.0.0.1') {
    const bodyBuf = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const lines = [`${method} `, target, ' HTTP/1.1\r\n', `Host: ${host}\r\n`];
    for (const [k, v] of Object.entries(headers)) {
        lines.push(`${k}: `, v, '\r\n');
    }
    if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding')) {
        lines.push(`Content-Length: ${bodyBuf.length}\r\n`);
    }
    lines.push('Connection: close\r\n\r\n');
    const head = Buffer.concat(lines.map((x) => (Buffer.isBuffer(x) ? x : Buffer.from(x, 'latin1'))));
    return Buffer.concat([head, bodyBuf]);
}

/** Asserts a raw response is a client error problem (4xx, problem+json body). */
function assertRawProblem(res, statuses, context) {
    const list = Array.isArray(statuses) ? statuses : [statuses];
    assert.ok(list.includes(res.status), `${context}: status ${res.status} not in ${list}: ${res.raw.slice(0, 400)}`);
    assert.match(res.headers['content-type'] ?? '', PROBLEM_TYPE, `${context}: problem+json`);
    assert.equal(res.json?.status, res.status, `${context}: problem status member`);
    assertSecurityHeaders(res, context);
}

for (const backend of fixture.backends) {
    describe(`bad input [${backend.backend}]`, () => {
        const {admin} = clients(backend);
        const base = backend.base_url;
        const bearer = {Authorization: `Bearer ${backend.a.admin.token}`};
        let countsBefore;
        let seqBefore;
        let existing;
        const jsonField = uniq('blob_');
        const textField = uniq('label_');

        before(async () => {
            // Custom fields first: adding one changes the shape of every record read afterwards.
            assert.equal((await admin.post('/api/v1/meta/contacts/fields', {name: jsonField, type: 'json', label: 'Blob'})).status, 201);
            assert.equal((await admin.post('/api/v1/meta/contacts/fields', {name: textField, type: 'text', label: 'Label'})).status, 201);
            const created = await admin.post('/api/v1/contacts', {first_name: 'Stable', last_name: uniq('Stable')});
            assert.equal(created.status, 201, show(created));
            existing = await admin.getOk(`/api/v1/contacts/${created.json.id}`);
            countsBefore = await countAll(admin);
            seqBefore = await admin.lastEventSeq();
        });

        test('malformed JSON and non-object bodies are 400', async () => {
            for (const text of ['{"first_name":', '{first_name: "x"}', "{'a': 1}", '{"a":1}}', '[1,2]', '"text"', '42', 'null', 'true', '{"a":1,}', '\u0000', '{"a": NaN}', '{"a": Infinity}', '{"a": 0x10}']) {
                for (const path of ['/api/v1/contacts', `/api/v1/contacts/${existing.id}`]) {
                    const method = path === '/api/v1/contacts' ? 'POST' : 'PATCH';
                    const res = await admin.request(method, path, {rawBody: text, headers: {'content-type': 'application/json'}});
                    assert.notEqual(res.status, 500, `body ${JSON.stringify(text)}: ${show(res)}`);
                    assertProblem(res, 400);
                }
            }
            const malformed = await admin.request('POST', '/api/v1/contacts', {rawBody: '{"first_name":', headers: {'content-type': 'application/json'}});
            assertProblem(malformed, 400, 'body');
            for (const path of ['/api/v1/batch', '/api/v1/meta/contacts/fields', '/api/v1/users', '/api/v1/teams', '/api/v1/tokens', '/api/v1/auth/login', `/api/v1/contacts/${existing.id}/revert`]) {
                assertProblem(await admin.request('POST', path, {rawBody: '{"oops', headers: {'content-type': 'application/json'}}), 400);
                assertProblem(await admin.request('POST', path, {rawBody: '[]', headers: {'content-type': 'application/json'}}), 400);
            }
        });

        test('a number beyond the range of a double is 400 malformed JSON, not a 500', async () => {
            // core/json.cpp ParseJson re-parses with exceptions but catches only parse_error; the
            // number overflow is out_of_range (json.exception.out_of_range.406) and escapes.
            for (const text of ['{"a": 1e99999}', '{"first_name": "x", "custom": {"n": -1e400}}', '[1e999]']) {
                for (const path of ['/api/v1/contacts', '/api/v1/batch', '/api/v1/auth/login']) {
                    const res = await admin.request('POST', path, {rawBody: text, headers: {'content-type': 'application/json'}});
                    assertProblem(res, 400, 'body');
                }
            }
        });

        test('wrong types and unknown or read-only fields are 400 naming the field', async () => {
            const cases = [
                [{first_name: 5}, 'first_name'],
                [{first_name: ['a']}, 'first_name'],
                [{first_name: {a: 1}}, 'first_name'],
                [{first_name: true}, 'first_name'],
                [{first_name: 'x'.repeat(201)}, 'first_name'],
                [{birthday: '2020-13-45'}, 'birthday'],
                [{birthday: '2021-02-29'}, 'birthday'],
                [{birthday: 20200101}, 'birthday'],
                [{source: 'carrier pigeon'}, 'source'],
                [{source: 1}, 'source'],
                [{owner_id: 'not-an-id'}, 'owner_id'],
                [{owner_id: '01m83g282nve5b8tgjb670c0ke'}, 'owner_id'],
                [{company_id: '01m83g282nve5b8tgjb670c0ke'}, 'company_id'],
                [{company_id: 7}, 'company_id'],
                [{shoe_size: 42}, 'shoe_size'],
                [{id: '01m83g282nve5b8tgjb670c0ke'}, 'id'],
                [{version: 7}, 'version'],
                [{created_at: '2020-01-01T00:00:00Z'}, 'created_at'],
                [{phone_e164: '+79151234567'}, 'phone_e164'],
                [{custom: {shoe_size: 1}}, 'custom.shoe_size'],
                [{custom: [1]}, 'custom'],
                [{'': 1}, ''],
                [{'first_name; DROP TABLE contacts; --': 'x'}, 'first_name; DROP TABLE contacts; --'],
            ];
            for (const [body, field] of cases) {
                assertProblem(await admin.post('/api/v1/contacts', body), 400, field);
                assertProblem(await admin.patch(`/api/v1/contacts/${existing.id}`, body), 400, field);
            }
            // Every error is reported at once, and a valid field next to a bad one is not written.
            const two = await admin.post('/api/v1/contacts', {first_name: 'Half', birthday: 'x', source: 'y'});
            assertProblem(two, 400, 'birthday');
            assertProblem(two, 400, 'source');
            const half = await admin.patch(`/api/v1/contacts/${existing.id}`, {position: 'Written?', birthday: 'x'});
            assertProblem(half, 400, 'birthday');
            assert.equal((await admin.getOk(`/api/v1/contacts/${existing.id}`)).position, null);
            assertProblem(await admin.post('/api/v1/companies', {}), 400, 'name');
            assertProblem(await admin.post('/api/v1/companies', {name: '   '}), 400, 'name');
            assertProblem(await admin.patch(`/api/v1/companies/${existing.id}`, {}), 404);
        });

        test('NUL in text fields is 400 naming the field on every backend', async () => {
            for (const value of ['a\u0000b', '\u0000', 'x'.repeat(10) + '\u0000']) {
                for (const field of ['first_name', 'notes', 'email', textField]) {
                    assertProblem(await admin.post('/api/v1/contacts', {[field]: value}), 400, field);
                    assertProblem(await admin.patch(`/api/v1/contacts/${existing.id}`, {[field]: value}), 400, field);
                }
                assertProblem(await admin.post('/api/v1/companies', {name: value}), 400, 'name');
            }
            for (const q of [`/api/v1/search?q=${encodeURIComponent('a\u0000b')}`, `/api/v1/contacts?filter[last_name]=${encodeURIComponent('a\u0000b')}`]) {
                assertProblem(await admin.get(q), 400);
            }
        });

        test('a JSON field value holding U+0000 is stored exactly or refused with 400, never a 500', async () => {
            // PostgreSQL jsonb refuses \u0000 (SQLSTATE 22P05); the engine must not pass it through.
            for (const value of [{a: 'x\u0000y'}, ['\u0000'], {'\u0000': 1}]) {
                const res = await admin.post('/api/v1/contacts', {first_name: 'Json', [jsonField]: value});
                assert.ok(res.status === 201 || res.status === 400, show(res));
                if (res.status === 201) {
                    assert.deepEqual((await admin.getOk(`/api/v1/contacts/${res.json.id}`)).custom[jsonField], value, 'stored exactly');
                    assert.equal((await admin.delete(`/api/v1/contacts/${res.json.id}`)).status, 204);
                } else {
                    assertProblem(res, 400, jsonField);
                }
            }
        });

        test('unusual but valid text is stored exactly (NFC), never a 5xx', async () => {
            const values = ['e\u0301', '\uFEFFbom', '\u202Eevil', 'emoji 😀', '\uFFFF', 'tab\tnew\nline', '\u00A0nbsp', 'ǅ', 'ﬁ', 'İstanbul', 'ß'];
            for (const value of values) {
                for (const field of ['first_name', 'notes']) {
                    const res = await admin.post('/api/v1/contacts', {[field]: value});
                    assert.equal(res.status, 201, `${JSON.stringify(value)}: ${show(res)}`);
                    const got = await admin.getOk(`/api/v1/contacts/${res.json.id}`);
                    assert.equal(got[field], value.normalize('NFC'), 'text is stored as sent, in NFC');
                    assert.equal((await admin.delete(`/api/v1/contacts/${res.json.id}`)).status, 204);
                }
                const search = await admin.get(`/api/v1/search?q=${encodeURIComponent(value)}`);
                assert.equal(search.status, 200, show(search));
                const filtered = await admin.get(`/api/v1/contacts?filter[first_name][contains]=${encodeURIComponent(value.trim() || 'x')}`);
                assert.equal(filtered.status, 200, show(filtered));
            }
            // Lone surrogates cannot be valid UTF-8: JSON escapes naming one are malformed input.
            assertProblem(await admin.request('POST', '/api/v1/contacts', {rawBody: '{"first_name":"\\ud800"}', headers: {'content-type': 'application/json'}}), 400);
        });

        test('invalid UTF-8 bytes in the body, the path and the query are 400', async () => {
            const badBody = Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
            const inBody = await rawRequest(base, raw('POST', '/api/v1/contacts', {headers: {...bearer, 'Content-Type': 'application/json'}, body: badBody}));
            assertRawProblem(inBody, 400, 'invalid UTF-8 in the body');
            const overlong = Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
            assertRawProblem(await rawRequest(base, raw('POST', '/api/v1/contacts', {headers: {...bearer, 'Content-Type': 'application/json'}, body: overlong})), 400, 'overlong UTF-8');
            const surrogate = Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
            assertRawProblem(await rawRequest(base, raw('POST', '/api/v1/contacts', {headers: {...bearer, 'Content-Type': 'application/json'}, body: surrogate})), 400, 'UTF-8 surrogate');

            for (const target of [
                '/api/v1/contacts?filter[last_name]=%FF',
                '/api/v1/contacts?filter%5Blast_name%5D=%C3%28',
                '/api/v1/search?q=%E2%82',
                '/api/v1/search?q=%ED%A0%80',
                '/api/v1/contacts/%FF%FE',
                '/api/v1/%C0%AFcontacts',
                '/api/v1/contacts?filter[last_name]=a%00b',
                '/api/v1/contacts%00',
                '/api/v1/contacts?filter[last_name]=%',
                '/api/v1/contacts?filter[last_name]=%zz',
            ]) {
                const res = await rawRequest(base, raw('GET', target, {headers: bearer}));
                assertRawProblem(res, 400, target);
            }
            // Raw, unescaped high bytes in the request target.
            for (const bytes of [[0xff], [0xc3, 0x28], [0xd0, 0x98]]) {
                const target = Buffer.concat([Buffer.from('/api/v1/search?q='), Buffer.from(bytes)]);
                const req = Buffer.concat([Buffer.from('GET '), target, Buffer.from(` HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${backend.a.admin.token}\r\nConnection: close\r\n\r\n`)]);
                const res = await rawRequest(base, req);
                assert.ok([200, 400].includes(res.status), `raw bytes ${bytes} in the target: ${res.raw.slice(0, 300)}`);
                if (bytes[0] === 0xff || bytes[1] === 0x28) {
                    assertRawProblem(res, 400, `raw invalid bytes ${bytes} in the target`);
                }
            }
        });

        test('oversized bodies are 413; a lying Content-Length is refused', async () => {
            const big = JSON.stringify({first_name: 'Big', notes: 'x'.repeat(1024 * 1024 + 10)});
            const res = await admin.request('POST', '/api/v1/contacts', {rawBody: big, headers: {'content-type': 'application/json'}});
            assertProblem(res, 413);
            const declared = await rawRequest(base, raw('POST', '/api/v1/contacts', {headers: {...bearer, 'Content-Type': 'application/json', 'Content-Length': String(50 * 1024 * 1024)}, body: '{}'}));
            assertRawProblem(declared, 413, 'Content-Length of 50 MB');
            const chunked = `${(2 * 1024 * 1024).toString(16)}\r\n${'x'.repeat(64)}`;
            const chunkedRes = await rawRequest(base, raw('POST', '/api/v1/contacts', {headers: {...bearer, 'Transfer-Encoding': 'chunked'}, body: chunked}));
            assertRawProblem(chunkedRes, 413, 'a 2 MB chunk');
            const short = await rawRequest(base, raw('POST', '/api/v1/contacts', {headers: {...bearer, 'Content-Length': '-1'}, body: '{}'}));
            assertRawProblem(short, 400, 'Content-Length -1');
            const fields = Object.fromEntries(Array.from({length: 5000}, (_, i) => [`f${i}`, i]));
            assertProblem(await admin.post('/api/v1/contacts', fields), 400, 'f0');
        });

        test('deep nesting (10,000 brackets) is 400', async () => {
            for (const text of ['['.repeat(10000), '{"a":'.repeat(10000), `{"first_name":"x","custom":${'['.repeat(10000)}${']'.repeat(10000)}}`, '['.repeat(10000) + ']'.repeat(10000)]) {
                for (const path of ['/api/v1/contacts', '/api/v1/batch', '/api/v1/meta/contacts/fields', '/api/v1/auth/login']) {
                    const res = await admin.request('POST', path, {rawBody: text, headers: {'content-type': 'application/json'}});
                    assertProblem(res, 400);
                }
            }
            const nestedOp = {operations: [{method: 'POST', path: '/api/v1/contacts', body: JSON.parse('['.repeat(30) + ']'.repeat(30))}]};
            assertProblem(await admin.post('/api/v1/batch', nestedOp), 400);
        });

        test('limit out of range or not a number is 400 naming limit', async () => {
            for (const path of ['/api/v1/contacts', '/api/v1/companies', '/api/v1/search?q=a', '/api/v1/recycle-bin', '/api/v1/events']) {
                for (const limit of ['100000', '-1', '0', 'abc', '1.5', '', '99999999999999999999', '1e3', '+5', ' 5']) {
                    const sep = path.includes('?') ? '&' : '?';
                    const res = await admin.get(`${path}${sep}limit=${encodeURIComponent(limit)}`);
                    assertProblem(res, 400, 'limit');
                }
            }
            assertProblem(await admin.get('/api/v1/events?after=-x'), 400, 'after');
            const max = await admin.get('/api/v1/contacts?limit=500');
            assert.equal(max.status, 200, show(max));
        });

        test('SQL-looking strings in filters, sorts and search return normal results', async () => {
            const sqlish = ["' OR 1=1 --", '"; DROP TABLE contacts; --', "'; DELETE FROM users; --", "') OR ('1'='1", '\\', "%' OR '%'='", '*', '1; SELECT pg_sleep(5)', "' UNION SELECT token_hash FROM api_tokens --"];
            const evil = await admin.post('/api/v1/contacts', {first_name: 'Bobby', last_name: '"; DROP TABLE contacts; --', notes: "' OR 1=1 --"});
            assert.equal(evil.status, 201, show(evil));
            for (const s of sqlish) {
                const q = encodeURIComponent(s);
                for (const path of [
                    `/api/v1/contacts?filter[last_name]=${q}`,
                    `/api/v1/contacts?filter[last_name][ne]=${q}&limit=1`,
                    `/api/v1/contacts?filter[last_name][contains]=${q}`,
                    `/api/v1/contacts?filter[last_name][starts]=${q}`,
                    `/api/v1/contacts?filter[last_name][in]=${q},${q}`,
                    `/api/v1/contacts?filter[source][in]=call,${q}`,
                ]) {
                    const res = await admin.get(path);
                    if (res.status === 400) {
                        assertProblem(res, 400, (f) => f.startsWith('filter['));
                        continue;
                    }
                    assert.equal(res.status, 200, show(res));
                    for (const item of res.json.data) {
                        if (path.includes('[ne]')) {
                            continue;
                        }
                        const v = item.last_name ?? '';
                        assert.ok(
                            path.includes('[contains]') ? v.toLowerCase().includes(s.toLowerCase())
                                : path.includes('[starts]') ? v.toLowerCase().startsWith(s.toLowerCase())
                                    : path.includes('filter[source]') ? true
                                        : v === s,
                            `filter ${path} returned ${JSON.stringify(v)}`,
                        );
                    }
                }
                const search = await admin.get(`/api/v1/search?q=${q}`);
                assert.equal(search.status, 200, show(search));
                assert.ok(Array.isArray(search.json.data));
                assertProblem(await admin.get(`/api/v1/contacts?sort=${q}`), 400, 'sort');
                assertProblem(await admin.get(`/api/v1/contacts?filter[${q}]=1`), 400, (f) => f.startsWith('filter['));
                assertProblem(await admin.get(`/api/v1/contacts?filter[last_name][${q}]=1`), 400, (f) => f.startsWith('filter['));
                assertProblem(await admin.get(`/api/v1/contacts?cursor=${q}`), 400, 'cursor');
                assertProblem(await admin.get(`/api/v1/contacts/${q}`), 404);
                assertProblem(await admin.get(`/api/v1/${q}`), 404);
            }
            const exact = await admin.getOk(`/api/v1/contacts?filter[last_name]=${encodeURIComponent('"; DROP TABLE contacts; --')}`);
            assert.deepEqual(exact.data.map((x) => x.id), [evil.json.id], 'the SQL-looking name is an ordinary value');
            const contains = await admin.getOk(`/api/v1/contacts?filter[notes][contains]=${encodeURIComponent("' OR 1=1")}`);
            assert.deepEqual(contains.data.map((x) => x.id), [evil.json.id]);
            const found = await admin.getOk(`/api/v1/search?q=${encodeURIComponent('Bobby DROP')}`);
            assert.ok(found.data.some((x) => x.id === evil.json.id), 'search treats SQL as words');
            assert.equal((await admin.delete(`/api/v1/contacts/${evil.json.id}`)).status, 204);
            // The tables are still there.
            assert.equal((await admin.get('/api/v1/contacts?limit=1')).status, 200);
            assert.equal((await admin.get('/api/v1/users')).status, 200);
        });

        test('header injection and smuggling attempts change nothing', async () => {
            // CR/LF in the path or query must not become response headers.
            for (const target of ['/api/v1/contacts%0d%0aX-Injected:%20yes', '/api/v1/search?q=a%0d%0aX-Injected:%20yes', '/api/v1/nope%0d%0a%0d%0a<script>']) {
                const res = await rawRequest(base, raw('GET', target, {headers: bearer}));
                assert.ok(res.status >= 400 && res.status < 500 || res.status === 200, `${target}: ${res.raw.slice(0, 300)}`);
                assert.equal(res.headers['x-injected'], undefined, `${target} injected a header`);
                assertSecurityHeaders(res, target);
            }
            // A CR without LF, NUL and obs-fold in header values.
            for (const header of ['X-Test: a\rInjected: b', 'X-Test: a\u0000b', 'X-Test: a\r\n folded', 'Bad Name: x', ': empty-name', 'X-Test\r\n']) {
                const req = Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\n${header}\r\nConnection: close\r\n\r\n`, 'latin1');
                const res = await rawRequest(base, req);
                assert.ok([200, 400].includes(res.status), `${JSON.stringify(header)}: ${res.raw.slice(0, 300)}`);
                assert.equal(res.headers.injected, undefined);
            }
            // Idempotency-Key and Authorization with odd bytes.
            const odd = await rawRequest(base, raw('POST', '/api/v1/contacts', {headers: {...bearer, 'Idempotency-Key': 'k\u0001\u007f\u00ff', 'Content-Type': 'application/json'}, body: '{"first_name":"Odd"}'}));
            assert.ok([201, 400].includes(odd.status), odd.raw.slice(0, 300));
            if (odd.status === 201) {
                assert.equal((await admin.delete(`/api/v1/contacts/${odd.json.id}`)).status, 204);
            }
            for (const auth of ['Bearer ', 'Bearer', 'Bearer \u00ff\u00fe', `Bearer ${backend.a.admin.token}\u0000`, `Basic ${Buffer.from('admin@example.com:x').toString('base64')}`, `Bearer ${'a'.repeat(8000)}`, `Bearer ${backend.a.admin.token}, Bearer x`]) {
                const res = await rawRequest(base, raw('GET', '/api/v1/me', {headers: {Authorization: auth}}));
                assert.ok([400, 401].includes(res.status), `Authorization ${JSON.stringify(auth.slice(0, 40))}: ${res.raw.slice(0, 300)}`);
            }
            // Two Authorization headers: the first one's company must not be mixed with the second's.
            const both = await rawRequest(base, Buffer.from(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${backend.b.admin.token}\r\nAuthorization: Bearer ${backend.a.admin.token}\r\nConnection: close\r\n\r\n`));
            assert.ok([400, 401].includes(both.status), `two Authorization headers: ${both.raw.slice(0, 300)}`);
            // Request smuggling: a second request hidden behind conflicting framing must never run, and
            // the connection must not carry on after such a request (RFC 9112 section 6.3).
            const hidden = `DELETE /api/v1/contacts/${existing.id} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${backend.a.admin.token}\r\n\r\n`;
            const head = `POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${backend.a.admin.token}\r\nContent-Type: application/json\r\n`;
            const attempts = {
                'Content-Length with Transfer-Encoding': `${head}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${hidden}`,
                'unknown Transfer-Encoding': `${head}Transfer-Encoding: gzip, chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${hidden}`,
                'two Content-Lengths': `${head}Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}${hidden}`,
                'Content-Length list': `${head}Content-Length: 2, 40\r\n\r\n{}${hidden}`,
            };
            for (const [name, text] of Object.entries(attempts)) {
                const res = await rawRequest(base, Buffer.from(text, 'latin1'), {waitClose: true, timeoutMs: 3000});
                assert.ok((res.status >= 400 && res.status < 500) || res.status === 501 || res.status === 201, `${name}: ${res.raw.slice(0, 300)}`);
                if (name.includes('Content-Length')) {
                    assert.equal(res.status, 400, `${name} is a malformed request: ${res.raw.slice(0, 300)}`);
                }
                if (res.status === 201) {
                    assert.equal((await admin.delete(`/api/v1/contacts/${res.json.id}`)).status, 204);
                }
                assert.doesNotMatch(res.rest, /HTTP\/1\.1/, `${name}: no second response on that connection`);
                assert.equal((await admin.get(`/api/v1/contacts/${existing.id}`)).status, 200, `${name}: the hidden DELETE did not run`);
            }
            // Pipelined requests are answered in order, one each.
            const pipelined = await rawRequest(base, Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), {waitClose: true, timeoutMs: 5000});
            assert.equal(pipelined.status, 200);
            assert.match(pipelined.rest, /^HTTP\/1\.1 200/);
        });

        test('very long URLs, many parameters, junk methods and versions are answered, not crashed on', async () => {
            const longPath = `/api/v1/contacts/${'a'.repeat(20000)}`;
            const longRes = await rawRequest(base, raw('GET', longPath, {headers: bearer}));
            assertRawProblem(longRes, [404, 414, 431], 'a 20 KB path');
            const longQuery = `/api/v1/search?q=${'я'.repeat(3000)}`;
            const longQueryRes = await admin.get(longQuery);
            assert.ok([400, 414, 431].includes(longQueryRes.status), show(longQueryRes));
            const hugeQuery = await rawRequest(base, raw('GET', `/api/v1/contacts?filter[last_name]=${'b'.repeat(100000)}`, {headers: bearer}));
            assertRawProblem(hugeQuery, [400, 414, 431], 'a 100 KB query');
            const manyParams = Array.from({length: 300}, (_, i) => `filter[last_name][ne]=v${i}`).join('&');
            const many = await admin.get(`/api/v1/contacts?${manyParams}`);
            assertProblem(many, 400, 'filter');
            const manyIn = `filter[last_name][in]=${Array.from({length: 500}, (_, i) => `v${i}`).join(',')}`;
            assertProblem(await admin.get(`/api/v1/contacts?${manyIn}`), 400, 'filter[last_name]');
            const headers = Object.fromEntries(Array.from({length: 400}, (_, i) => [`X-H${i}`, 'v'.repeat(60)]));
            const bigHeaders = await rawRequest(base, raw('GET', '/healthz', {headers}));
            assertRawProblem(bigHeaders, 431, 'headers over 16 KB');
            for (const line of ['BREW /healthz HTTP/1.1', 'GET /healthz HTTP/9.9', 'GET healthz HTTP/1.1', 'GET /healthz', 'G\u00c9T /healthz HTTP/1.1', 'GET http://evil.example/healthz HTTP/1.1', 'OPTIONS * HTTP/1.1']) {
                const res = await rawRequest(base, Buffer.from(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'), {timeoutMs: 5000}).catch(() => null);
                if (res) {
                    assert.ok(res.status >= 400 && res.status < 500 || (res.status === 200 && line.includes('9.9')), `${JSON.stringify(line)}: ${res.raw.slice(0, 300)}`);
                }
            }
            // A client that sends half a request and goes away.
            await rawRequest(base, Buffer.from('POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"first'), {timeoutMs: 300}).catch(() => null);
        });

        after(async () => {
            const health = await admin.anonymous().get('/healthz');
            assert.equal(health.status, 200, 'the server still answers /healthz');
        });

        test('afterwards /healthz answers and nothing was written', async () => {
            const health = await admin.anonymous().get('/healthz');
            assert.equal(health.status, 200);
            assert.deepEqual(await countAll(admin), countsBefore, 'record counts are unchanged');
            const events = await admin.eventsAfter(seqBefore);
            // Only the test's own create/delete pairs (values that were accepted) may appear.
            const ownIds = new Set(events.filter((e) => e.action === 'create').map((e) => e.record_id));
            for (const e of events) {
                assert.ok(ownIds.has(e.record_id) && ['create', 'delete'].includes(e.action), `unexpected write: ${JSON.stringify(e)}`);
            }
            const record = await admin.getOk(`/api/v1/contacts/${existing.id}`);
            assert.deepEqual(record, existing, 'the record every bad request aimed at is unchanged');
        });
    });
}
