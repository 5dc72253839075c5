// The platform contract of the generic record API, on every backend: CRUD with ETag/If-Match,
// recycle bin, cursor pages, filters and sorts, search, history and revert, custom fields, batch,
// Idempotency-Key, the OpenAPI document and the operational endpoints.
import assert from 'node:assert/strict';
import {describe, test, before} from 'node:test';
import {Validator} from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import {assertProblem, assertSecurityHeaders, clients, fixture, pool, show, uniq} from './lib/api.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Ids of `items` (objects with .id). */
const ids = (items) => items.map((x) => x.id);

/** Compares two API values the way the list sorts them (NULL is the largest value). */
function compareValues(a, b) {
    const an = a === null || a === undefined;
    const bn = b === null || b === undefined;
    if (an || bn) {
        return an === bn ? 0 : an ? 1 : -1;
    }
    if (typeof a === 'number' && typeof b === 'number') {
        return a - b;
    }
    return a < b ? -1 : a > b ? 1 : 0;
}

/** Asserts `items` are in the order `sort` ("-updated_at,last_name") asks for, id breaking ties. */
function assertSorted(items, sort, valueOf = (item, name) => item[name]) {
    const keys = sort.split(',').map((k) => (k.startsWith('-') ? {name: k.slice(1), desc: true} : {name: k.replace(/^\+/, ''), desc: false}));
    for (let i = 1; i < items.length; i++) {
        const prev = items[i - 1];
        const cur = items[i];
        let order = 0;
        for (const k of keys) {
            const c = compareValues(valueOf(prev, k.name), valueOf(cur, k.name));
            if (c !== 0) {
                order = k.desc ? -c : c;
                break;
            }
        }
        if (order === 0) {
            order = prev.id < cur.id ? -1 : 1;
        }
        assert.ok(order < 0, `sort=${sort}: item ${i - 1} (${JSON.stringify(keys.map((k) => valueOf(prev, k.name)))}) must come before item ${i} (${JSON.stringify(keys.map((k) => valueOf(cur, k.name)))})`);
    }
}

/** Pages through a list with `limit`, asserting no duplicates; returns all items in order. */
async function pageThrough(api, path, limit) {
    const items = [];
    const seen = new Set();
    let cursor = null;
    for (let page = 0; page < 200; page++) {
        const res = await api.get(`${path}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(res.status, 200, show(res));
        assert.ok(res.json.data.length <= limit, `page holds at most ${limit} items`);
        for (const item of res.json.data) {
            assert.ok(!seen.has(item.id), `record ${item.id} appears twice while paging ${path}`);
            seen.add(item.id);
            items.push(item);
        }
        cursor = res.json.next_cursor;
        if (!cursor) {
            return items;
        }
        assert.equal(res.json.data.length, limit, 'a page before the last is full');
    }
    assert.fail('paging did not end');
}

for (const backend of fixture.backends) {
    describe(`contract [${backend.backend}]`, () => {
        const c = clients(backend);
        const {admin, manager, anon} = c;
        let me;
        /** Fields of contacts that clients write (computed ones may change along with them). */
        let writable;
        const written = (changes) => Object.keys(changes).filter((k) => writable.has(k)).sort();

        before(async () => {
            me = await admin.getOk('/api/v1/me');
            const meta = await admin.getOk('/api/v1/meta/contacts');
            writable = new Set(meta.fields.filter((f) => !f.read_only).map((f) => f.name));
        });

        test('POST 201 with id, ETag, Location; GET with ETag; If-None-Match 304', async () => {
            const created = await admin.post('/api/v1/contacts', {first_name: 'Anna', last_name: 'Crud'});
            assert.equal(created.status, 201, show(created));
            assert.match(created.json.id, /^[0-9a-z]{26}$/);
            assert.equal(created.json.version, 1);
            assert.equal(created.headers.get('etag'), '"1"');
            assert.equal(created.headers.get('location'), `/api/v1/contacts/${created.json.id}`);
            assert.equal(created.json.first_name, 'Anna');
            assert.equal(created.json.owner_id, me.id, 'the creator owns a new record');
            assert.equal(created.json.created_by, me.id);
            assert.match(created.json.created_at, RFC3339);
            assertSecurityHeaders(created);

            const got = await admin.get(`/api/v1/contacts/${created.json.id}`);
            assert.equal(got.status, 200, show(got));
            assert.equal(got.headers.get('etag'), '"1"');
            // The create response may add hints (duplicate warnings); the record itself is the same.
            for (const [key, value] of Object.entries(got.json)) {
                assert.deepEqual(created.json[key], value, `created.${key} equals the stored value`);
            }

            const cached = await admin.get(`/api/v1/contacts/${created.json.id}`, {headers: {'if-none-match': '"1"'}});
            assert.equal(cached.status, 304);
            assert.equal(cached.text, '');
        });

        test('PATCH with If-Match 200; stale If-Match 412 and nothing written', async () => {
            const created = await admin.post('/api/v1/contacts', {first_name: 'Boris', last_name: 'Locking'});
            const id = created.json.id;
            const updated = await admin.patch(`/api/v1/contacts/${id}`, {position: 'CEO'}, {headers: {'if-match': '"1"'}});
            assert.equal(updated.status, 200, show(updated));
            assert.equal(updated.headers.get('etag'), '"2"');
            assert.equal(updated.json.version, 2);
            assert.equal(updated.json.position, 'CEO');
            assert.equal(updated.json.first_name, 'Boris', 'PATCH is partial');

            const seq = await admin.lastEventSeq();
            const stale = await admin.patch(`/api/v1/contacts/${id}`, {position: 'Intern'}, {headers: {'if-match': '"1"'}});
            assertProblem(stale, 412);
            const garbage = await admin.patch(`/api/v1/contacts/${id}`, {position: 'Intern'}, {headers: {'if-match': '"x1"'}});
            assertProblem(garbage, 412);
            const staleDelete = await admin.delete(`/api/v1/contacts/${id}`, {headers: {'if-match': '"1"'}});
            assertProblem(staleDelete, 412);

            const after = await admin.get(`/api/v1/contacts/${id}`);
            assert.equal(after.status, 200, show(after));
            assert.equal(after.json.position, 'CEO', 'the stale write changed nothing');
            assert.equal(after.json.version, 2);
            assert.equal(after.headers.get('etag'), '"2"');
            assert.deepEqual(await admin.eventsAfter(seq), [], 'a rejected write leaves no event');

            const weak = await admin.patch(`/api/v1/contacts/${id}`, {position: 'CTO'}, {headers: {'if-match': 'W/"2"'}});
            assert.equal(weak.status, 200, show(weak));
            assert.equal(weak.json.version, 3);
            const blind = await admin.patch(`/api/v1/contacts/${id}`, {position: 'CFO'});
            assert.equal(blind.status, 200, show(blind));
            assert.equal(blind.json.version, 4);
            const noop = await admin.patch(`/api/v1/contacts/${id}`, {position: 'CFO'});
            assert.equal(noop.status, 200, show(noop));
            assert.equal(noop.json.version, 4, 'a PATCH that changes nothing is not a new version');
        });

        test('concurrent PATCHes with the same If-Match: exactly one wins, the rest are 412', async () => {
            const created = await admin.post('/api/v1/contacts', {first_name: 'Race', last_name: uniq('Race')});
            const id = created.json.id;
            const results = await Promise.all(
                Array.from({length: 10}, (_, i) => admin.patch(`/api/v1/contacts/${id}`, {position: `P${i}`}, {headers: {'if-match': '"1"'}})),
            );
            const winners = results.filter((r) => r.status === 200);
            assert.equal(winners.length, 1, `one winner: ${results.map((r) => r.status)}`);
            for (const r of results.filter((x) => x.status !== 200)) {
                assertProblem(r, 412);
            }
            const final = await admin.getOk(`/api/v1/contacts/${id}`);
            assert.equal(final.version, 2);
            assert.equal(final.position, winners[0].json.position);
            const history = await admin.getOk(`/api/v1/contacts/${id}/history`);
            assert.deepEqual(history.data.map((v) => v.version), [1, 2]);
        });

        test('DELETE 204, then 404, listed in the recycle bin, restore brings it back', async () => {
            const created = await admin.post('/api/v1/contacts', {first_name: 'Vera', last_name: uniq('Bin')});
            const id = created.json.id;
            const deleted = await admin.delete(`/api/v1/contacts/${id}`);
            assert.equal(deleted.status, 204, show(deleted));
            assert.equal(deleted.text, '');

            assertProblem(await admin.get(`/api/v1/contacts/${id}`), 404);
            assertProblem(await admin.delete(`/api/v1/contacts/${id}`), 404);
            assertProblem(await admin.patch(`/api/v1/contacts/${id}`, {position: 'x'}), 404);
            const listed = await admin.get(`/api/v1/contacts?filter[last_name]=${created.json.last_name}`);
            assert.deepEqual(listed.json.data, [], 'a deleted record is not listed');

            const bin = await admin.getOk('/api/v1/recycle-bin');
            const entry = bin.data.find((e) => e.id === id);
            assert.ok(entry, `recycle bin lists ${id}`);
            assert.equal(entry.entity, 'contacts');
            assert.match(entry.deleted_at, RFC3339);
            assert.equal(entry.title, `Vera ${created.json.last_name}`);

            const restored = await admin.post(`/api/v1/contacts/${id}/restore`);
            assert.equal(restored.status, 200, show(restored));
            assert.equal(restored.json.id, id);
            assert.equal(restored.json.first_name, 'Vera');
            assert.ok(restored.json.version > created.json.version);
            assert.equal((await admin.get(`/api/v1/contacts/${id}`)).status, 200);
            const binAfter = await admin.getOk('/api/v1/recycle-bin');
            assert.ok(!binAfter.data.some((e) => e.id === id), 'a restored record leaves the recycle bin');
            assertProblem(await admin.post(`/api/v1/contacts/${id}/restore`), 409);
            assertProblem(await admin.post(`/api/v1/contacts/01m83g282nve5b8tgjb670c0ke/restore`), 404);
        });

        describe('lists', () => {
            const marker = uniq('page');
            /** @type {any[]} */
            let created = [];
            const lastNames = ['Alpha', 'Beta', null, 'Gamma', 'Beta', 'alpha', 'Delta'];

            before(async () => {
                created = [];
                for (let i = 0; i < 23; i++) {
                    const res = await admin.post('/api/v1/contacts', {
                        first_name: `P${String(i).padStart(2, '0')}`,
                        last_name: lastNames[i % lastNames.length],
                        notes: marker,
                    });
                    assert.equal(res.status, 201, show(res));
                    created.push(res.json);
                }
            });

            for (const sort of ['-updated_at,last_name', 'last_name,-created_at', '-last_name,first_name', 'first_name']) {
                test(`limit/cursor pages through every record once, sort=${sort}`, async () => {
                    for (const limit of [1, 4, 23, 500]) {
                        const items = await pageThrough(admin, `/api/v1/contacts?filter[notes]=${marker}&sort=${sort}`, limit);
                        assert.deepEqual(new Set(ids(items)), new Set(ids(created)), `limit=${limit}: no gaps`);
                        assert.equal(items.length, created.length);
                        assertSorted(items, sort);
                    }
                });
            }

            test('default sort is -updated_at and a cursor is tied to its sort', async () => {
                const first = await admin.getOk(`/api/v1/contacts?filter[notes]=${marker}&limit=5`);
                assertSorted(first.data, '-updated_at');
                assert.ok(first.next_cursor);
                const mixed = await admin.get(`/api/v1/contacts?filter[notes]=${marker}&limit=5&sort=first_name&cursor=${encodeURIComponent(first.next_cursor)}`);
                assertProblem(mixed, 400, 'cursor');
                assertProblem(await admin.get('/api/v1/contacts?cursor=bm90LWEtY3Vyc29y'), 400, 'cursor');
                assertProblem(await admin.get('/api/v1/contacts?cursor=%25%25%25'), 400, 'cursor');
            });

            test('fields= selects fields', async () => {
                const body = await admin.getOk(`/api/v1/contacts?filter[notes]=${marker}&fields=first_name,last_name&limit=3`);
                for (const item of body.data) {
                    assert.deepEqual(Object.keys(item).sort(), ['first_name', 'id', 'last_name']);
                }
            });

            test('unknown field, operator, sort key or parameter is 400 naming it', async () => {
                const unknownField = await admin.get('/api/v1/contacts?filter[shoe_size]=42');
                assertProblem(unknownField, 400, 'filter[shoe_size]');
                assert.match(JSON.stringify(unknownField.json.errors), /shoe_size/);
                const unknownOp = await admin.get('/api/v1/contacts?filter[last_name][like]=x');
                assertProblem(unknownOp, 400, 'filter[last_name]');
                assert.match(JSON.stringify(unknownOp.json.errors), /like/);
                assertProblem(await admin.get('/api/v1/contacts?filter[last_name][eq]=a&filter[nope][gt]=1'), 400, 'filter[nope]');
                assertProblem(await admin.get('/api/v1/contacts?sort=-shoe_size'), 400, 'sort');
                assertProblem(await admin.get('/api/v1/contacts?sort=notes,first_name,last_name,position'), 400, 'sort');
                assertProblem(await admin.get('/api/v1/contacts?colour=red'), 400, 'colour');
                assertProblem(await admin.get('/api/v1/contacts?filter[]=x'), 400, 'filter[]');
                assertProblem(await admin.get('/api/v1/contacts?filter[birthday][lt]=yesterday'), 400, 'filter[birthday]');
                assertProblem(await admin.get('/api/v1/contacts?filter[email][empty]=maybe'), 400, 'filter[email]');
                assertProblem(await admin.get('/api/v1/contacts?filter[birthday][contains]=19'), 400, 'filter[birthday]');
                assertProblem(await admin.get('/api/v1/contacts?filter[custom.first_name]=x'), 400, 'filter[custom.first_name]');
                assertProblem(await admin.get('/api/v1/no_such_entity'), 404);
            });
        });

        describe('filters', () => {
            const marker = uniq('flt');
            const r = {};
            const base = `/api/v1/contacts?filter[notes]=${marker}`;
            const query = async (q) => {
                const res = await admin.get(`${base}&${q}&limit=500`);
                assert.equal(res.status, 200, show(res));
                return new Set(ids(res.json.data));
            };
            const expect = async (q, names) => {
                const got = await query(q);
                assert.deepEqual([...got].map((id) => Object.keys(r).find((k) => r[k].id === id)).sort(), [...names].sort(), q);
            };

            before(async () => {
                const rows = {
                    olga: {first_name: 'Olga', last_name: 'Ivanova', birthday: '1990-01-15', source: 'web_form', email: 'olga@example.com'},
                    ivan: {first_name: 'Ivan', last_name: 'Ivanov', birthday: '1985-06-01', source: 'call'},
                    petr: {first_name: 'Петр', last_name: 'Петров', source: 'referral', email: 'petr@example.com'},
                    sveta: {first_name: 'Svetlana', last_name: 'Sidorova', birthday: '2000-12-31', email: '   '},
                    pct: {first_name: '100%', last_name: 'a_b\\c', birthday: '1990-01-16', source: 'call'},
                };
                for (const [key, body] of Object.entries(rows)) {
                    const res = await admin.post('/api/v1/contacts', {...body, notes: marker});
                    assert.equal(res.status, 201, show(res));
                    r[key] = res.json;
                }
            });

            test('eq (implicit and explicit) and ne (NULL counts as different)', async () => {
                await expect('filter[last_name]=Ivanov', ['ivan']);
                await expect('filter[last_name][eq]=Ivanov', ['ivan']);
                await expect('filter[last_name][eq]=Петров', ['petr']);
                await expect('filter[source][ne]=call', ['olga', 'petr', 'sveta']);
                await expect(`filter[id]=${r.olga.id}`, ['olga']);
            });

            test('lt lte gt gte on dates and system fields', async () => {
                await expect('filter[birthday][lt]=1990-01-15', ['ivan']);
                await expect('filter[birthday][lte]=1990-01-15', ['ivan', 'olga']);
                await expect('filter[birthday][gt]=1990-01-15', ['sveta', 'pct']);
                await expect('filter[birthday][gte]=1990-01-15', ['olga', 'sveta', 'pct']);
                await expect(`filter[created_at][gte]=${encodeURIComponent(r.petr.created_at)}`, ['petr', 'sveta', 'pct']);
                await expect(`filter[created_at][lt]=${encodeURIComponent(r.ivan.created_at)}`, ['olga']);
                await expect('filter[version][gt]=1', []);
            });

            test('in, contains, starts (case-insensitive, Cyrillic, wildcards literal), empty', async () => {
                await expect('filter[source][in]=web_form,referral', ['olga', 'petr']);
                await expect('filter[source][in]=call', ['ivan', 'pct']);
                await expect('filter[last_name][contains]=vanov', ['olga', 'ivan']);
                await expect('filter[last_name][contains]=VANOV', ['olga', 'ivan']);
                await expect(`filter[last_name][contains]=${encodeURIComponent('ЕТРО')}`, ['petr']);
                await expect('filter[last_name][starts]=iva', ['olga', 'ivan']);
                await expect(`filter[first_name][starts]=${encodeURIComponent('пЕ')}`, ['petr']);
                await expect('filter[first_name][contains]=%25', ['pct']);
                await expect('filter[last_name][contains]=_', ['pct']);
                await expect('filter[last_name][starts]=_', []);
                await expect(`filter[last_name][contains]=${encodeURIComponent('\\')}`, ['pct']);
                await expect('filter[email][empty]=true', ['ivan', 'sveta', 'pct']);
                await expect('filter[email][empty]=false', ['olga', 'petr']);
                await expect('filter[birthday][empty]=true', ['petr']);
            });

            test('several filters combine with AND', async () => {
                await expect('filter[source]=call&filter[birthday][lt]=1990-01-01', ['ivan']);
                await expect('filter[last_name][starts]=Iva&filter[email][empty]=false', ['olga']);
            });
        });

        test('search: prefix, case-insensitive, Cyrillic and Latin; deleted records drop out', async () => {
            const tag = uniq('').replace(/[0-9]/g, 'q');
            const ivan = await admin.post('/api/v1/contacts', {first_name: 'Иван', last_name: `Грозный${tag}`});
            const petr = await admin.post('/api/v1/contacts', {first_name: 'Pyotr', last_name: `Petrov${tag}`});
            const company = await admin.post('/api/v1/companies', {name: `Ёлка${tag} ООО`});
            assert.equal(ivan.status, 201, show(ivan));
            assert.equal(petr.status, 201, show(petr));
            assert.equal(company.status, 201, show(company));
            const found = async (q) => {
                const res = await admin.get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=100`);
                assert.equal(res.status, 200, show(res));
                for (const item of res.json.data) {
                    assert.equal(typeof item.entity, 'string');
                    assert.equal(typeof item.title, 'string');
                }
                return res.json.data;
            };
            const has = async (q, id) => assert.ok(ids(await found(q)).includes(id), `search "${q}" finds ${id}`);
            await has('ива', ivan.json.id);
            await has('ИВА', ivan.json.id);
            await has('иВаН', ivan.json.id);
            await has(`гроз`, ivan.json.id);
            await has(`ГРОЗНЫЙ${tag}`, ivan.json.id);
            await has(`Иван Грозный${tag}`, ivan.json.id);
            await has('PETR', petr.json.id);
            await has('petr', petr.json.id);
            await has(`petrov${tag.toUpperCase()}`, petr.json.id);
            await has(`ёлка${tag}`, company.json.id);
            const hit = (await found(`Грозный${tag}`)).find((x) => x.id === ivan.json.id);
            assert.equal(hit.entity, 'contacts');
            assert.equal(hit.title, `Иван Грозный${tag}`);
            assert.ok(!ids(await found(`Грозный${tag}zzz`)).includes(ivan.json.id), 'a longer word does not match');
            assert.deepEqual(await found(''), []);
            assert.deepEqual(await found('  ,.;  '), []);

            assert.equal((await admin.delete(`/api/v1/contacts/${ivan.json.id}`)).status, 204);
            assert.ok(!ids(await found(`Грозный${tag}`)).includes(ivan.json.id), 'a deleted record is not found');
            assert.equal((await admin.post(`/api/v1/contacts/${ivan.json.id}/restore`)).status, 200);
            await has(`Грозный${tag}`, ivan.json.id);
            const renamed = await admin.patch(`/api/v1/contacts/${ivan.json.id}`, {last_name: `Тишайший${tag}`});
            assert.equal(renamed.status, 200, show(renamed));
            await has(`тишайш`, ivan.json.id);
            assert.ok(!ids(await found(`Грозный${tag}`)).includes(ivan.json.id), 'the old name is no longer indexed');

            assertProblem(await admin.get('/api/v1/search?q=a&limit=0'), 400, 'limit');
            assertProblem(await admin.get('/api/v1/search?q=a&limit=101'), 400, 'limit');
            assertProblem(await admin.get(`/api/v1/search?q=${'a'.repeat(501)}`), 400, 'q');
        });

        test('history: every version with actor, time and changed fields; revert is a new version', async () => {
            const managerMe = await manager.getOk('/api/v1/me');
            const created = await admin.post('/api/v1/contacts', {first_name: 'Hist', last_name: 'Original'});
            const id = created.json.id;
            assert.equal((await admin.patch(`/api/v1/contacts/${id}`, {position: 'Engineer'})).status, 200);
            const byManager = await manager.patch(`/api/v1/contacts/${id}`, {last_name: 'Renamed'});
            assert.equal(byManager.status, 200, show(byManager));
            assert.equal(byManager.json.updated_by, managerMe.id);
            assert.equal((await admin.delete(`/api/v1/contacts/${id}`)).status, 204);
            const deletedHistory = await admin.get(`/api/v1/contacts/${id}/history`);
            assert.equal(deletedHistory.status, 200, `history of a deleted record stays readable: ${show(deletedHistory)}`);
            assert.equal((await admin.post(`/api/v1/contacts/${id}/restore`)).status, 200);

            const history = await admin.getOk(`/api/v1/contacts/${id}/history`);
            assert.equal(history.current_version, 5);
            assert.deepEqual(history.data.map((v) => v.version), [1, 2, 3, 4, 5]);
            assert.deepEqual(history.data.map((v) => v.action), ['create', 'update', 'update', 'delete', 'restore']);
            assert.deepEqual(history.data.map((v) => v.actor_id), [me.id, me.id, managerMe.id, me.id, me.id]);
            let previous = '';
            for (const v of history.data) {
                assert.match(v.at, RFC3339);
                assert.ok(v.at >= previous, 'times do not go backwards');
                previous = v.at;
                assert.equal(typeof v.changes, 'object');
            }
            assert.deepEqual(history.data[0].changes.first_name, {from: null, to: 'Hist'});
            assert.deepEqual(history.data[0].changes.last_name, {from: null, to: 'Original'});
            assert.deepEqual(written(history.data[1].changes), ['position']);
            assert.deepEqual(history.data[1].changes.position, {from: null, to: 'Engineer'});
            assert.deepEqual(written(history.data[2].changes), ['last_name']);
            assert.deepEqual(history.data[2].changes.last_name, {from: 'Original', to: 'Renamed'});

            const reverted = await admin.post(`/api/v1/contacts/${id}/revert`, {version: 1});
            assert.equal(reverted.status, 200, show(reverted));
            assert.equal(reverted.json.version, 6);
            assert.equal(reverted.headers.get('etag'), '"6"');
            assert.equal(reverted.json.last_name, 'Original');
            assert.equal(reverted.json.position, null);
            assert.equal(reverted.json.first_name, 'Hist');
            const after = await admin.getOk(`/api/v1/contacts/${id}/history`);
            assert.equal(after.data.length, 6, 'revert adds a version and rewrites none');
            assert.deepEqual(after.data.slice(0, 5), history.data);
            const last = after.data[5];
            assert.equal(last.version, 6);
            assert.equal(last.actor_id, me.id);
            assert.deepEqual(last.changes.last_name, {from: 'Renamed', to: 'Original'});
            assert.deepEqual(last.changes.position, {from: 'Engineer', to: null});

            const forward = await admin.post(`/api/v1/contacts/${id}/revert`, {version: 3});
            assert.equal(forward.status, 200, show(forward));
            assert.equal(forward.json.last_name, 'Renamed');
            assert.equal(forward.json.position, 'Engineer');

            assertProblem(await admin.post(`/api/v1/contacts/${id}/revert`, {version: 0}), 400, 'version');
            assertProblem(await admin.post(`/api/v1/contacts/${id}/revert`, {version: 99}), 400, 'version');
            assertProblem(await admin.post(`/api/v1/contacts/${id}/revert`, {version: '1'}), 400, 'version');
            assertProblem(await admin.post(`/api/v1/contacts/${id}/revert`, {}), 400, 'version');
            assertProblem(await admin.get(`/api/v1/contacts/01m83g282nve5b8tgjb670c0ke/history`), 404);
        });

        describe('custom fields', () => {
            const score = uniq('score_');
            const tier = uniq('tier_');
            const marker = uniq('cf');
            const r = {};

            test('POST /meta/contacts/fields adds fields; GET /meta and openapi.json describe them', async () => {
                const added = await admin.post('/api/v1/meta/contacts/fields', {name: score, type: 'integer', label: 'Score'});
                assert.equal(added.status, 201, show(added));
                assert.equal(added.json.name, score);
                assert.equal(added.json.type, 'integer');
                assert.equal(added.json.custom, true);
                const addedEnum = await admin.post('/api/v1/meta/contacts/fields', {name: tier, type: 'enum', label: 'Tier', options: ['gold', 'silver']});
                assert.equal(addedEnum.status, 201, show(addedEnum));

                const meta = await admin.getOk('/api/v1/meta/contacts');
                const field = meta.fields.find((f) => f.name === score);
                assert.ok(field, `GET /meta/contacts lists ${score}`);
                assert.equal(field.type, 'integer');
                assert.equal(field.custom, true);
                assert.deepEqual(meta.fields.find((f) => f.name === tier).options, ['gold', 'silver']);
                const all = await admin.getOk('/api/v1/meta');
                assert.ok(all.data.find((e) => e.name === 'contacts').fields.some((f) => f.name === score));

                const doc = await admin.getOk('/api/v1/openapi.json');
                const custom = doc.components.schemas.Contacts.properties.custom;
                assert.ok(custom.properties[score], `openapi.json (authenticated) has contacts custom.${score}`);
                assert.deepEqual(custom.properties[score].type, ['integer', 'null']);
                assert.ok(custom.properties[tier].enum.includes('gold'));
            });

            test('custom values are writable at the top level and under "custom"', async () => {
                const rows = {
                    ten: {[score]: 10, [tier]: 'gold'},
                    nine: {custom: {[score]: 9}},
                    hundred: {custom: {[score]: 100, [tier]: 'silver'}},
                    none: {},
                };
                for (const [key, body] of Object.entries(rows)) {
                    const res = await admin.post('/api/v1/contacts', {first_name: key, notes: marker, ...body});
                    assert.equal(res.status, 201, show(res));
                    r[key] = res.json;
                }
                assert.equal(r.ten.custom[score], 10);
                assert.equal(r.ten.custom[tier], 'gold');
                assert.ok(!(score in r.ten), 'custom values are returned under "custom"');
                assert.equal(r.nine.custom[score], 9);
                const patched = await admin.patch(`/api/v1/contacts/${r.none.id}`, {[score]: 50});
                assert.equal(patched.status, 200, show(patched));
                assert.equal(patched.json.custom[score], 50);
                const cleared = await admin.patch(`/api/v1/contacts/${r.none.id}`, {custom: {[score]: null}});
                assert.equal(cleared.status, 200, show(cleared));
                assert.ok(cleared.json.custom[score] === undefined || cleared.json.custom[score] === null);
                const history = await admin.getOk(`/api/v1/contacts/${r.none.id}/history`);
                assert.deepEqual(history.data[1].changes[score], {from: null, to: 50});

                assertProblem(await admin.post('/api/v1/contacts', {[score]: 'ten'}), 400, score);
                assertProblem(await admin.post('/api/v1/contacts', {custom: {[score]: 1.5}}), 400, score);
                assertProblem(await admin.post('/api/v1/contacts', {[tier]: 'bronze'}), 400, tier);
                assertProblem(await admin.post('/api/v1/contacts', {custom: {nope: 1}}), 400, 'custom.nope');
                assertProblem(await admin.post('/api/v1/contacts', {custom: 'x'}), 400, 'custom');
                assertProblem(await admin.post('/api/v1/companies', {name: 'X', [score]: 1}), 400, score);
            });

            test('custom fields filter numerically and sort, as name or custom.name', async () => {
                const list = async (q) => {
                    const res = await admin.get(`/api/v1/contacts?filter[notes]=${marker}&${q}`);
                    assert.equal(res.status, 200, show(res));
                    return res.json.data.map((x) => x.first_name);
                };
                assert.deepEqual((await list(`filter[${score}][gt]=9`)).sort(), ['hundred', 'ten']);
                assert.deepEqual((await list(`filter[custom.${score}][lte]=10`)).sort(), ['nine', 'ten']);
                assert.deepEqual(await list(`filter[${score}]=10`), ['ten']);
                assert.deepEqual((await list(`filter[${score}][in]=9,100`)).sort(), ['hundred', 'nine']);
                assert.deepEqual(await list(`filter[${score}][empty]=true`), ['none']);
                assert.deepEqual((await list(`filter[${score}][ne]=10`)).sort(), ['hundred', 'nine', 'none']);
                assert.deepEqual(await list(`filter[${tier}]=silver`), ['hundred']);
                assert.deepEqual(await list(`filter[custom.${tier}][starts]=GO`), ['ten']);
                assert.deepEqual(await list(`sort=${score}`), ['nine', 'ten', 'hundred', 'none']);
                assert.deepEqual(await list(`sort=-custom.${score}`), ['none', 'hundred', 'ten', 'nine']);
                const paged = await pageThrough(admin, `/api/v1/contacts?filter[notes]=${marker}&sort=${score}`, 1);
                assert.deepEqual(paged.map((x) => x.first_name), ['nine', 'ten', 'hundred', 'none']);
                assertProblem(await admin.get(`/api/v1/contacts?filter[${score}][gt]=many`), 400, `filter[${score}]`);
            });

            test('invalid field definitions are 400 naming the property', async () => {
                const post = (body) => admin.post('/api/v1/meta/contacts/fields', body);
                assertProblem(await post({name: 'Bad Name', type: 'text', label: 'x'}), 400, 'name');
                assertProblem(await post({name: 'first_name', type: 'text', label: 'x'}), 400, 'name');
                assertProblem(await post({name: score, type: 'integer', label: 'again'}), 400, 'name');
                assertProblem(await post({name: 'id', type: 'text', label: 'x'}), 400, 'name');
                assertProblem(await post({name: uniq('x_'), type: 'reference', label: 'x'}), 400, 'type');
                assertProblem(await post({name: uniq('x_'), type: 'blob', label: 'x'}), 400, 'type');
                assertProblem(await post({name: uniq('x_'), type: 'text'}), 400, 'label');
                assertProblem(await post({name: uniq('x_'), type: 'enum', label: 'x'}), 400, 'options');
                assertProblem(await post({name: uniq('x_'), type: 'text', label: 'x', colour: 'red'}), 400, 'colour');
                assertProblem(await post({name: uniq('x_'), type: 'text', label: 'x', required: 'yes'}), 400, 'required');
                assertProblem(await admin.post('/api/v1/meta/no_such_entity/fields', {name: 'a', type: 'text', label: 'x'}), 404);
            });
        });

        test('batch: all operations in one transaction, statuses reported', async () => {
            const existing = (await admin.post('/api/v1/contacts', {first_name: 'Batch', last_name: 'Existing'})).json;
            const doomed = (await admin.post('/api/v1/contacts', {first_name: 'Batch', last_name: 'Doomed'})).json;
            const marker = uniq('Batch');
            const seq = await admin.lastEventSeq();
            const failing = await admin.post('/api/v1/batch', {
                operations: [
                    {method: 'POST', path: '/api/v1/contacts', body: {last_name: marker}},
                    {method: 'PATCH', path: `/api/v1/contacts/${existing.id}`, body: {position: 'Changed'}},
                    {method: 'POST', path: '/api/v1/contacts', body: {birthday: 'not-a-date'}},
                    {method: 'DELETE', path: `/api/v1/contacts/${doomed.id}`},
                ],
            });
            assertProblem(failing, 400);
            assert.equal(failing.json.committed, false);
            assert.equal(failing.json.failed_operation, 2);
            assert.deepEqual(failing.json.results.map((x) => x.status), [201, 200, 400, 424]);
            assert.equal(failing.json.results[0].rolled_back, true);
            assert.ok(failing.json.results[2].body.errors.some((e) => e.field === 'birthday'), show(failing));
            assert.deepEqual(await admin.eventsAfter(seq), [], 'a failed batch writes no event');
            assert.deepEqual((await admin.getOk(`/api/v1/contacts?filter[last_name]=${marker}`)).data, [], 'a failed batch creates nothing');
            assert.equal((await admin.getOk(`/api/v1/contacts/${existing.id}`)).position, null, 'a failed batch changes nothing');
            assert.equal((await admin.get(`/api/v1/contacts/${doomed.id}`)).status, 200, 'a failed batch deletes nothing');

            const ok = await admin.post('/api/v1/batch', {
                operations: [
                    {method: 'POST', path: '/api/v1/contacts', body: {last_name: marker}},
                    {method: 'GET', path: `/api/v1/contacts/${existing.id}`},
                    {method: 'PATCH', path: `/api/v1/contacts/${existing.id}`, body: {position: 'Changed'}, if_match: 1},
                    {method: 'DELETE', path: `/api/v1/contacts/${doomed.id}`},
                    {method: 'POST', path: '/api/v1/companies', body: {name: marker}},
                ],
            });
            assert.equal(ok.status, 200, show(ok));
            assert.equal(ok.json.committed, true);
            assert.deepEqual(ok.json.results.map((x) => x.status), [201, 200, 200, 204, 201]);
            const createdId = ok.json.results[0].body.id;
            assert.equal((await admin.getOk(`/api/v1/contacts/${createdId}`)).last_name, marker);
            assert.equal((await admin.getOk(`/api/v1/contacts/${existing.id}`)).position, 'Changed');
            assertProblem(await admin.get(`/api/v1/contacts/${doomed.id}`), 404);

            const stale = await admin.post('/api/v1/batch', {
                operations: [
                    {method: 'POST', path: '/api/v1/contacts', body: {last_name: marker}},
                    {method: 'PATCH', path: `/api/v1/contacts/${existing.id}`, body: {position: 'Again'}, if_match: 1},
                ],
            });
            assertProblem(stale, 412);
            assert.deepEqual(stale.json.results.map((x) => x.status), [201, 412]);
            assert.equal((await admin.getOk(`/api/v1/contacts?filter[last_name]=${marker}`)).data.length, 1);

            assertProblem(await admin.post('/api/v1/batch', {}), 400, 'operations');
            assertProblem(await admin.post('/api/v1/batch', {operations: []}), 400, 'operations');
            assertProblem(await admin.post('/api/v1/batch', {operations: 'x'}), 400, 'operations');
            const tooMany = Array.from({length: 101}, () => ({method: 'POST', path: '/api/v1/contacts', body: {last_name: marker}}));
            assertProblem(await admin.post('/api/v1/batch', {operations: tooMany}), 400, 'operations');
            const badPath = await admin.post('/api/v1/batch', {operations: [{method: 'POST', path: '/etc/passwd'}]});
            assertProblem(badPath, 400);
            assert.equal(badPath.json.failed_operation, 0);
            const badMethod = await admin.post('/api/v1/batch', {operations: [{method: 'PUT', path: `/api/v1/contacts/${existing.id}`}]});
            assertProblem(badMethod, 400);
            assertProblem(await admin.post('/api/v1/batch', {operations: [{path: '/api/v1/contacts'}]}), 400);
            assert.equal((await admin.getOk(`/api/v1/contacts?filter[last_name]=${marker}`)).data.length, 1);
        });

        test('Idempotency-Key: a repeat returns the first response and writes nothing; another body is 409', async () => {
            const marker = uniq('Idem');
            const key = uniq('key-');
            const count = async () => (await admin.listAll(`/api/v1/contacts?filter[last_name]=${marker}`)).length;
            const first = await admin.post('/api/v1/contacts', {last_name: marker}, {headers: {'idempotency-key': key}});
            assert.equal(first.status, 201, show(first));
            const seq = await admin.lastEventSeq();
            const repeat = await admin.post('/api/v1/contacts', {last_name: marker}, {headers: {'idempotency-key': key}});
            assert.equal(repeat.status, 201, show(repeat));
            assert.deepEqual(repeat.json, first.json, 'the repeat returns the first response');
            assert.equal(repeat.headers.get('etag'), first.headers.get('etag'));
            assert.equal(repeat.headers.get('idempotent-replayed'), 'true');
            assert.equal(await count(), 1);
            assert.deepEqual(await admin.eventsAfter(seq), [], 'the repeat writes nothing');

            const other = await admin.post('/api/v1/contacts', {last_name: `${marker}x`}, {headers: {'idempotency-key': key}});
            assertProblem(other, 409, 'Idempotency-Key');
            assert.equal(await count(), 1);
            assert.deepEqual(await admin.getOk(`/api/v1/contacts?filter[last_name]=${marker}x`), {data: [], next_cursor: null});
            assert.deepEqual(await admin.eventsAfter(seq), []);
            assertProblem(await admin.post('/api/v1/contacts', {last_name: marker}, {headers: {'idempotency-key': 'k'.repeat(201)}}), 400, 'Idempotency-Key');

            const withoutKey = await admin.post('/api/v1/contacts', {last_name: marker});
            assert.equal(withoutKey.status, 201);
            assert.equal(await count(), 2, 'without a key every POST creates');
        });

        test('Idempotency-Key: concurrent repeats create exactly one record and never fail with 5xx', async () => {
            const marker = uniq('IdemRace');
            const key = uniq('race-');
            const responses = await Promise.all(
                Array.from({length: 8}, () => admin.post('/api/v1/contacts', {last_name: marker}, {headers: {'idempotency-key': key}})),
            );
            const created = responses.filter((r) => r.status === 201);
            for (const r of responses) {
                assert.ok(r.status === 201 || r.status === 409, `a concurrent repeat is 201 (replay) or 409: ${show(r)}`);
            }
            assert.ok(created.length >= 1);
            assert.equal(new Set(created.map((r) => r.json.id)).size, 1, 'every 201 names the same record');
            assert.equal((await admin.listAll(`/api/v1/contacts?filter[last_name]=${marker}`)).length, 1);
        });

        test('openapi.json is valid OpenAPI 3.1, anonymous and authenticated', async () => {
            for (const api of [anon, admin]) {
                const res = await api.get('/api/v1/openapi.json');
                assert.equal(res.status, 200, show(res));
                const doc = res.json;
                assert.equal(doc.openapi, '3.1.0');
                const validator = new Validator();
                const result = await validator.validate(structuredClone(doc));
                assert.ok(result.valid, `OpenAPI validation errors: ${JSON.stringify(result.errors, null, 1)?.slice(0, 3000)}`);
                const operationIds = [];
                for (const [path, ops] of Object.entries(doc.paths)) {
                    assert.ok(path.startsWith('/'), path);
                    for (const [method, op] of Object.entries(ops)) {
                        operationIds.push(op.operationId);
                        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} has responses`);
                    }
                }
                assert.equal(new Set(operationIds).size, operationIds.length, 'operationIds are unique');
                for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json', '/api/v1/auth/login']) {
                    assert.deepEqual(doc.paths[path]?.[path === '/api/v1/auth/login' ? 'post' : 'get']?.security, [], `${path} is public`);
                }
                for (const path of ['/api/v1/contacts', '/api/v1/contacts/{id}', '/api/v1/search', '/api/v1/batch', '/api/v1/me']) {
                    assert.ok(doc.paths[path], `openapi.json documents ${path}`);
                }
            }
        });

        test('records match their schema in openapi.json', async () => {
            const doc = await admin.getOk('/api/v1/openapi.json');
            const ajv = new Ajv2020({strict: false, allErrors: true});
            addFormats(ajv);
            ajv.addSchema({$id: 'voronka', components: doc.components});
            const meta = await admin.getOk('/api/v1/meta');
            for (const entity of meta.data) {
                const schemaName = Object.keys(doc.components.schemas).find((n) => n.toLowerCase() === entity.name.replace(/[_-]/g, ''));
                assert.ok(schemaName, `a schema for ${entity.name}`);
                const validate = ajv.compile({$ref: `voronka#/components/schemas/${schemaName}`});
                const list = await admin.getOk(`/api/v1/${entity.name}?limit=20`);
                for (const record of list.data) {
                    assert.ok(validate(record), `${entity.name} ${record.id} does not match its schema: ${ajv.errorsText(validate.errors)}`);
                }
                const bin = await admin.getOk('/api/v1/recycle-bin');
                for (const item of bin.data.filter((x) => x.entity === entity.name).slice(0, 5)) {
                    assert.ok(validate(item.record), `deleted ${entity.name} ${item.id} does not match its schema: ${ajv.errorsText(validate.errors)}`);
                }
            }
        });

        test('/healthz, /readyz and /metrics (Prometheus text with counters)', async () => {
            const health = await anon.get('/healthz');
            assert.equal(health.status, 200);
            assert.deepEqual(health.json, {status: 'ok'});
            assertSecurityHeaders(health);
            const ready = await anon.get('/readyz');
            assert.equal(ready.status, 200);
            const head = await anon.request('HEAD', '/healthz');
            assert.equal(head.status, 200);
            assert.equal(head.text, '');

            const counter = (text) => {
                const line = text.split('\n').find((l) => l.startsWith('voronka_http_requests_total{method="GET",route="/readyz",status="2xx"}'));
                return line ? Number(line.split(' ').pop()) : 0;
            };
            const before = await anon.get('/metrics');
            assert.equal(before.status, 200);
            assert.match(before.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
            for (const line of before.text.split('\n')) {
                if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
                    continue;
                }
                assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|\+Inf|-Inf|NaN)$/, `Prometheus sample line: ${line}`);
            }
            assert.match(before.text, /^# TYPE voronka_http_requests_total counter$/m);
            assert.match(before.text, /^# TYPE voronka_http_request_duration_seconds histogram$/m);
            for (let i = 0; i < 3; i++) {
                await anon.get('/readyz');
            }
            const after = await anon.get('/metrics');
            assert.equal(counter(after.text) - counter(before.text), 3, 'the counter counts every request');
        });

        test('405 with Allow for a known path under another method; 404 for unknown paths', async () => {
            const res = await admin.request('PUT', '/api/v1/contacts/01m83g282nve5b8tgjb670c0ke', {body: {}});
            assert.equal(res.status, 405, show(res));
            assert.match(res.headers.get('allow') ?? '', /PATCH/);
            assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
            const del = await admin.delete('/api/v1/search');
            assert.equal(del.status, 405, show(del));
            assertProblem(await admin.get('/api/v1/contacts/01m83g282nve5b8tgjb670c0ke/nope/deeper'), 404);
            assertProblem(await admin.get('/api/v1/contacts/not-an-id'), 404);
        });

        test('many parallel reads and writes on one tenant stay consistent', async () => {
            const marker = uniq('Par');
            const created = await pool(Array.from({length: 40}, (_, i) => i), 16, async (i) => {
                const res = await admin.post('/api/v1/contacts', {first_name: `N${i}`, last_name: marker});
                assert.equal(res.status, 201, show(res));
                const read = await admin.get(`/api/v1/contacts/${res.json.id}`);
                assert.equal(read.status, 200, show(read));
                return res.json.id;
            });
            const listed = await admin.listAll(`/api/v1/contacts?filter[last_name]=${marker}`, 7);
            assert.deepEqual(new Set(ids(listed)), new Set(created));
            assert.equal(listed.length, 40);
        });
    });
}
