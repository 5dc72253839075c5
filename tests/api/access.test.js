// Access control over HTTP. The matrix is generated from /api/v1/openapi.json: every path and
// method is called without credentials, by another company's admin, by a `user` and a `manager`,
// with a read-only token and by a deactivated user. Then sessions, CSRF, login throttling and the
// security headers.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {describe, test, before} from 'node:test';

import {Api, assertProblem, assertSecurityHeaders, clients, fixture, requestFrom, show, uniq} from './lib/api.js';
import {Cells, PUBLIC_ROUTES, READ_ONLY_EXEMPT, bogusIds, call, fill, freshIds, operations} from './lib/matrix.js';
import {createRecord, entities} from './lib/records.js';

const isProblem = (res, status) =>
    res.status === status && /^application\/problem\+json/.test(res.headers.get('content-type') ?? '') && res.json?.status === status;

const problemType = (slug) => `https://voronka.dev/problems/${slug}`;

/**
 * Not found, or exactly the answer an id that names nothing gets (a policy 403, or a 400 for the
 * body checked before the lookup): either way the caller learns nothing about the resource.
 */
async function hidden(api, op, res, ids) {
    if (isProblem(res, 404)) {
        return true;
    }
    if (!isProblem(res, 403) && !isProblem(res, 400)) {
        return false;
    }
    const bogus = await call(api, op, bogusIds(ids));
    return bogus.status === res.status && bogus.json?.detail === res.json.detail &&
        JSON.stringify(bogus.json?.errors) === JSON.stringify(res.json.errors);
}

/** Every id and name of company A that company B must never see, found in a response (the
 * problem's `instance`, which echoes the caller's own request path, aside). */
function leaks(res, secrets) {
    let text = res.text;
    if (res.json && typeof res.json === 'object' && !Array.isArray(res.json) && 'instance' in res.json) {
        const {instance, ...rest} = res.json;
        text = JSON.stringify(rest);
    }
    return secrets.filter((s) => text.includes(s));
}

async function login(base, email, password) {
    const res = await new Api(base).post('/api/v1/auth/login', {email, password});
    assert.equal(res.status, 200, show(res));
    const setCookie = res.headers.get('set-cookie') ?? '';
    return {res, setCookie, cookie: setCookie.split(';')[0], csrf: res.json.csrf_token};
}

for (const backend of fixture.backends) {
    describe(`access [${backend.backend}]`, () => {
        const c = clients(backend);
        const {admin, anon, adminB, userB, user, manager, adminRo, leaver} = c;
        const base = backend.base_url;
        const adminAccount = backend.a.admin;
        /** @type {import('./lib/matrix.js').Operation[]} */
        let ops = [];
        /** @type {import('./lib/matrix.js').Ids} */
        let ids;
        let adminId;
        let customField;
        const deletedIds = [];
        const deletedOwnedIds = [];
        const recordName = uniq('Secret');
        /** Everything of company A that company B must never see. */
        let secretsOfA = [];
        /** Entities whose records have an owner (role scopes apply); the rest are shared. */
        let owned = new Set();
        /** The first path segment names a record of an owned entity (or no entity at all). */
        const scoped = (op) => {
            const first = op.path.split('/')[3];
            return owned.has(first) || !(first in ids.records);
        };

        before(async () => {
            adminId = (await admin.getOk('/api/v1/me')).id;
            customField = uniq('secret_field_');
            const added = await admin.post('/api/v1/meta/contacts/fields', {name: customField, type: 'text', label: 'Secret field'});
            assert.equal(added.status, 201, show(added));
            const doc = await admin.getOk('/api/v1/openapi.json');
            ops = operations(doc);
            assert.ok(ops.length > 20, 'the route table has the platform routes');
            ids = await freshIds(admin, adminAccount, backend.a.manager.id);
            for (const [name, meta] of await entities(admin)) {
                if (meta.fields.some((f) => f.name === 'owner_id')) {
                    owned.add(name);
                }
            }
            // Findable content: a named record, and a deleted record of every entity for the recycle bin.
            const named = await admin.post('/api/v1/contacts', {first_name: recordName, last_name: recordName, [customField]: recordName});
            assert.equal(named.status, 201, show(named));
            for (const entity of Object.keys(ids.records)) {
                const doomed = await createRecord(admin, entity, {});
                assert.equal((await admin.delete(`/api/v1/${entity}/${doomed.id}`)).status, 204);
                deletedIds.push(doomed.id);
                if (doomed.owner_id !== undefined) {
                    deletedOwnedIds.push(doomed.id);
                }
            }
            secretsOfA = [
                ...Object.values(ids.records),
                named.json.id,
                ...deletedIds,
                adminId,
                backend.a.user.id,
                backend.a.manager.id,
                backend.a.leaver.id,
                ids.tokenId,
                ids.sessionId,
                recordName,
                customField,
                adminAccount.email,
            ];
        });

        test('every public route is meant to be public', () => {
            const unexpected = ops.filter((op) => op.public && !PUBLIC_ROUTES.has(op.key)).map((op) => op.key);
            assert.deepEqual(unexpected, [], 'routes published with security: [] but not in PUBLIC_ROUTES (lib/matrix.js)');
        });

        test('matrix: without credentials every non-public operation is 401', async () => {
            const cells = new Cells('anonymous');
            const bogus = [
                ['no credentials', anon, {}],
                ['an unknown token', anon, {authorization: 'Bearer vk_notatoken'}],
                ['an unknown session cookie', anon, {cookie: 'voronka_session=notasession'}],
                ['Basic auth', anon, {authorization: `Basic ${Buffer.from(`${adminAccount.email}:${adminAccount.password}`).toString('base64')}`}],
            ];
            for (const op of ops) {
                for (const [label, api, headers] of bogus) {
                    const res = await call(api, op, ids, headers);
                    assertSecurityHeaders(res, `${op.key} (${label})`);
                    if (op.public) {
                        cells.check(op, res.status !== 401 && res.status < 500, `${label}: public route answered ${res.status}`);
                        continue;
                    }
                    cells.check(op, isProblem(res, 401) && res.json.type === problemType('unauthenticated'), `${label}: ${show(res)}`);
                    cells.check(op, /Bearer/.test(res.headers.get('www-authenticate') ?? ''), `${label}: WWW-Authenticate on 401`);
                }
                if (op.method === 'GET' && !op.public) {
                    const head = await anon.request('HEAD', fill(op, ids));
                    cells.check(op, head.status === 401 && head.text === '', `HEAD without credentials: ${head.status}`);
                }
            }
            cells.done();
        });

        test("matrix: another company's admin gets 404 for every path naming company A's resources", async () => {
            const cells = new Cells('company B admin');
            const before = {};
            for (const [entity, id] of Object.entries(ids.records)) {
                before[entity] = await admin.getOk(`/api/v1/${entity}/${id}`);
            }
            for (const op of ops.filter((o) => o.params.length > 0 && !o.public && !o.operator)) {
                for (const api of [adminB, userB]) {
                    const res = await call(api, op, ids);
                    assertSecurityHeaders(res, op.key);
                    cells.check(op, await hidden(api, op, res, ids), `${api === userB ? 'user' : 'admin'} of B: ${show(res)}`);
                    cells.check(op, leaks(res, secretsOfA).length === 0, `B's answer leaks ${leaks(res, secretsOfA)}`);
                }
            }
            cells.done();
            for (const [entity, id] of Object.entries(ids.records)) {
                assert.deepEqual(await admin.getOk(`/api/v1/${entity}/${id}`), before[entity], `${entity} ${id} is unchanged`);
            }
            assert.equal((await admin.as({cookie: ids.sessionCookie}).get('/api/v1/me')).status, 200, "A's session survived");
        });

        test("matrix: lists, search, recycle bin, history and metadata of company B never show company A's data", async () => {
            const cells = new Cells('company B reads');
            for (const op of ops.filter((o) => o.method === 'GET' && o.params.length === 0)) {
                for (const api of [adminB, userB]) {
                    const res = await call(api, op, ids);
                    cells.check(op, res.status < 500, show(res));
                    cells.check(op, leaks(res, secretsOfA).length === 0, `leaks ${leaks(res, secretsOfA)} of A`);
                }
            }
            for (const q of [recordName, recordName.slice(0, 8), recordName.toLowerCase()]) {
                for (const api of [adminB, userB]) {
                    const res = await api.get(`/api/v1/search?q=${encodeURIComponent(q)}&limit=100`);
                    cells.check({key: `GET /api/v1/search?q=${q}`}, res.status === 200 && res.json.data.length === 0, show(res));
                }
            }
            for (const entity of Object.keys(ids.records)) {
                for (const filter of [`filter[id]=${ids.records[entity]}`, `filter[created_by]=${adminId}`, 'limit=500']) {
                    const res = await adminB.get(`/api/v1/${entity}?${filter}`);
                    cells.check({key: `GET /api/v1/${entity}?${filter}`}, res.status === 200 && leaks(res, secretsOfA).length === 0, show(res));
                }
            }
            const filterOnA = await adminB.get(`/api/v1/contacts?filter[${customField}]=${recordName}`);
            cells.check({key: `GET /api/v1/contacts?filter[A's custom field]`}, isProblem(filterOnA, 400), `B cannot filter on A's custom field: ${show(filterOnA)}`);
            cells.done();
        });

        test("company B cannot point references at company A's records or users", async () => {
            const company = await admin.post('/api/v1/companies', {name: uniq('A company ')});
            assert.equal(company.status, 201, show(company));
            assertProblem(await adminB.post('/api/v1/contacts', {company_id: company.json.id}), 400, 'company_id');
            assertProblem(await adminB.post('/api/v1/contacts', {owner_id: adminId}), 400, 'owner_id');
            const own = await adminB.post('/api/v1/contacts', {first_name: 'B'});
            assert.equal(own.status, 201, show(own));
            assertProblem(await adminB.patch(`/api/v1/contacts/${own.json.id}`, {owner_id: backend.a.user.id}), 400, 'owner_id');
            assertProblem(await adminB.post('/api/v1/contacts', {[customField]: 'x'}), 400, customField);
            const teamA = await admin.post('/api/v1/teams', {name: uniq('A team ')});
            assert.equal(teamA.status, 201, show(teamA));
            assertProblem(await adminB.post('/api/v1/users', {email: `${uniq('b-')}@example.com`, password: 'long-enough-1', role: 'user', team_id: teamA.json.id}), 400, 'team_id');
            assertProblem(await adminB.patch(`/api/v1/users/${backend.b.user.id}`, {team_id: teamA.json.id}), 400, 'team_id');
            assertProblem(await adminB.post('/api/v1/teams', {name: 'B team', head_user_id: adminId}), 400, 'head_user_id');
            const batch = await adminB.post('/api/v1/batch', {operations: [{method: 'PATCH', path: `/api/v1/contacts/${ids.records.contacts}`, body: {first_name: 'Hijacked'}}]});
            assertProblem(batch, 404);
            const batchGet = await adminB.post('/api/v1/batch', {operations: [{method: 'GET', path: `/api/v1/contacts/${ids.records.contacts}`}]});
            assertProblem(batchGet, 404);
            assert.equal(leaks(batchGet, secretsOfA).length, 0);
            assert.notEqual((await admin.getOk(`/api/v1/contacts/${ids.records.contacts}`)).first_name, 'Hijacked');
            const reused = await adminB.post('/api/v1/contacts', {first_name: 'Same key'}, {headers: {'idempotency-key': 'shared-key'}});
            const reusedA = await admin.post('/api/v1/contacts', {first_name: 'Same key'}, {headers: {'idempotency-key': 'shared-key'}});
            assert.equal(reused.status, 201);
            assert.equal(reusedA.status, 201);
            assert.notEqual(reused.json.id, reusedA.json.id, "an Idempotency-Key of company B never replays company A's response");
        });

        test('matrix: `user` and `manager` roles get 403 on admin routes', async () => {
            const cells = new Cells('user and manager');
            const managerIds = await freshIds(admin, adminAccount, backend.a.manager.id);
            for (const op of ops.filter((o) => !o.public)) {
                for (const [label, api, opIds] of [['user', user, ids], ['manager', manager, managerIds]]) {
                    const res = await call(api, op, opIds);
                    assertSecurityHeaders(res, op.key);
                    if (op.operator) {
                        cells.check(op, isProblem(res, 401) || isProblem(res, 403), `${label} on an operator route: ${show(res)}`);
                    } else if (op.admin) {
                        cells.check(op, isProblem(res, 403) && res.json.type === problemType('forbidden'), `${label}: ${show(res)}`);
                    } else {
                        cells.check(op, res.status !== 401 && res.status < 500, `${label}: ${show(res)}`);
                    }
                }
            }
            cells.done();
        });

        test("matrix: a `user` sees only own and team records: every path naming the admin's records is 404", async () => {
            const cells = new Cells('user scope');
            const adminRecordIds = [...Object.entries(ids.records).filter(([e]) => owned.has(e)).map(([, id]) => id), ...deletedOwnedIds];
            for (const op of ops.filter((o) => !o.public && !o.admin && !o.operator && o.params.length > 0 && scoped(o))) {
                const res = await call(user, op, ids);
                cells.check(op, await hidden(user, op, res, ids), show(res));
                cells.check(op, leaks(res, adminRecordIds).length === 0, `leaks ${leaks(res, adminRecordIds)}`);
            }
            for (const op of ops.filter((o) => !o.public && o.method === 'GET' && o.params.length === 0)) {
                const res = await call(user, op, ids);
                cells.check(op, leaks(res, [...adminRecordIds, recordName]).length === 0, `a user's ${op.key} shows the admin's ${leaks(res, [...adminRecordIds, recordName])}`);
            }
            const search = await user.getOk(`/api/v1/search?q=${encodeURIComponent(recordName)}`);
            cells.check({key: 'GET /api/v1/search'}, search.data.length === 0, `a user finds the admin's record: ${JSON.stringify(search)}`);
            cells.done();
            for (const [entity, id] of Object.entries(ids.records)) {
                assert.equal((await admin.get(`/api/v1/${entity}/${id}`)).status, 200, `${entity} ${id} survived the user's requests`);
            }
        });

        test('a role that may not edit a shared entity may not delete, restore or revert it either', async () => {
            const cells = new Cells('shared entities');
            for (const entity of Object.keys(ids.records).filter((e) => !owned.has(e))) {
                for (const [label, api] of [['user', user], ['manager', manager]]) {
                    const record = await createRecord(admin, entity, {});
                    const edit = await api.patch(`/api/v1/${entity}/${record.id}`, {});
                    if (!isProblem(edit, 403)) {
                        continue;
                    }
                    const op = {key: `${entity} (${label})`};
                    const del = await api.delete(`/api/v1/${entity}/${record.id}`);
                    cells.check(op, isProblem(del, 403), `PATCH is 403 but DELETE is ${show(del)}`);
                    if (del.status !== 204) {
                        assert.equal((await admin.delete(`/api/v1/${entity}/${record.id}`)).status, 204);
                    }
                    const restore = await api.post(`/api/v1/${entity}/${record.id}/restore`);
                    cells.check(op, isProblem(restore, 403), `PATCH is 403 but restore is ${show(restore)}`);
                    const revert = await api.post(`/api/v1/${entity}/${record.id}/revert`, {version: 1});
                    cells.check(op, isProblem(revert, 403) || isProblem(revert, 404), `PATCH is 403 but revert is ${show(revert)}`);
                }
            }
            cells.count = Math.max(cells.count, 1);
            cells.done();
        });

        test('a `user` creates and edits only within scope; team members see each other', async () => {
            const mine = await user.post('/api/v1/contacts', {first_name: 'Mine', last_name: recordName});
            assert.equal(mine.status, 201, show(mine));
            assert.equal(mine.json.owner_id, backend.a.user.id);
            const listed = await user.getOk(`/api/v1/contacts?filter[last_name]=${recordName}`);
            assert.deepEqual(listed.data.map((x) => x.id), [mine.json.id], 'a user lists own records, not the admin’s');
            const adminList = await admin.getOk(`/api/v1/contacts?filter[last_name]=${recordName}`);
            assert.equal(adminList.data.length, 2, 'the admin sees both');
            assertProblem(await user.post('/api/v1/contacts', {first_name: 'For admin', owner_id: adminId}), 403);
            assertProblem(await user.patch(`/api/v1/contacts/${mine.json.id}`, {owner_id: adminId}), 403);
            assert.equal((await user.getOk(`/api/v1/contacts/${mine.json.id}`)).owner_id, backend.a.user.id, 'the hand-over was not written');

            // Team scope: two users of one team see each other's records; a third user does not.
            const team = await admin.post('/api/v1/teams', {name: uniq('Team ')});
            assert.equal(team.status, 201, show(team));
            const members = [];
            for (const teamId of [team.json.id, team.json.id, null]) {
                const email = `${uniq('member-')}@example.com`;
                const password = `pw-${uniq()}`;
                const created = await admin.post('/api/v1/users', {email, password, role: 'user', name: email, ...(teamId ? {team_id: teamId} : {})});
                assert.equal(created.status, 201, show(created));
                const session = await login(base, email, password);
                members.push({id: created.json.id, api: new Api(base, {cookie: session.cookie, csrf: session.csrf})});
            }
            const [m1, m2, outsider] = members;
            const r1 = await m1.api.post('/api/v1/contacts', {first_name: 'Team', last_name: recordName});
            assert.equal(r1.status, 201, show(r1));
            assert.equal((await m2.api.get(`/api/v1/contacts/${r1.json.id}`)).status, 200, 'a team member reads it');
            const m2List = await m2.api.getOk(`/api/v1/contacts?filter[last_name]=${recordName}`);
            assert.deepEqual(m2List.data.map((x) => x.id), [r1.json.id]);
            assert.equal((await m2.api.patch(`/api/v1/contacts/${r1.json.id}`, {position: 'Edited by m2'})).status, 200, 'a team member edits it');
            assertProblem(await outsider.api.get(`/api/v1/contacts/${r1.json.id}`), 404);
            assertProblem(await outsider.api.patch(`/api/v1/contacts/${r1.json.id}`, {position: 'x'}), 404);
            assert.deepEqual((await outsider.api.getOk(`/api/v1/contacts?filter[last_name]=${recordName}`)).data, []);
            assert.ok(!(await outsider.api.getOk(`/api/v1/search?q=${recordName}`)).data.some((x) => x.id === r1.json.id));
            assertProblem(await outsider.api.get(`/api/v1/contacts/${r1.json.id}/history`), 404);
        });

        test('a team-scoped list follows team moves and owner changes, in the admin’s order, page by page', async () => {
            const name = uniq('Scoped');
            const teams = [];
            for (const label of ['Scope one ', 'Scope two ']) {
                const team = await admin.post('/api/v1/teams', {name: uniq(label)});
                assert.equal(team.status, 201, show(team));
                teams.push(team.json.id);
            }
            // a and b in team one, c in team two, d in no team.
            const people = {};
            for (const [key, teamId] of [['a', teams[0]], ['b', teams[0]], ['c', teams[1]], ['d', null]]) {
                const email = `${uniq(`scope-${key}-`)}@example.com`;
                const password = `pw-${uniq()}`;
                const created = await admin.post('/api/v1/users', {email, password, role: 'user', name: email, ...(teamId ? {team_id: teamId} : {})});
                assert.equal(created.status, 201, show(created));
                const session = await login(base, email, password);
                people[key] = {id: created.json.id, api: new Api(base, {cookie: session.cookie, csrf: session.csrf})};
            }
            const ownerOf = new Map();
            const owners = [people.a.id, people.b.id, people.c.id, people.d.id, adminId];
            for (let i = 0; i < 15; ++i) {
                const owner = owners[i % owners.length];
                const res = await admin.post('/api/v1/contacts', {first_name: `P${i % 4}`, last_name: name, source: i % 2 ? 'call' : 'email', owner_id: owner});
                assert.equal(res.status, 201, show(res));
                ownerOf.set(res.json.id, owner);
            }
            const pages = async (api, query) => {
                const ids = [];
                let cursor = null;
                do {
                    const page = await api.getOk(`/api/v1/contacts?filter[last_name]=${name}&${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
                    ids.push(...page.data.map((x) => x.id));
                    cursor = page.next_cursor;
                } while (cursor);
                return ids;
            };
            const queries = ['sort=-updated_at', 'sort=first_name', 'sort=-first_name,source', 'filter[source]=call&sort=-created_at', 'filter[first_name][starts]=p&sort=first_name'];
            // Every member's pages are exactly the admin's pages with the rows of other owners left out.
            const check = async (who, visibleOwners, label) => {
                for (const q of queries) {
                    const all = await pages(admin, q);
                    const expected = all.filter((id) => visibleOwners.includes(ownerOf.get(id)));
                    assert.deepEqual(await pages(people[who].api, q), expected, `${label}: ${who}, ${q}`);
                }
            };
            await check('a', [people.a.id, people.b.id], 'team one');
            await check('c', [people.c.id], 'team two');
            await check('d', [people.d.id], 'no team');

            // b moves to team two: a no longer sees b's records, c does, and so does b c's.
            const moved = await admin.patch(`/api/v1/users/${people.b.id}`, {team_id: teams[1]});
            assert.equal(moved.status, 200, show(moved));
            await check('a', [people.a.id], 'after the move');
            await check('c', [people.b.id, people.c.id], 'after the move');
            await check('b', [people.b.id, people.c.id], 'after the move');

            // A record handed from c to d leaves team two's lists and enters d's.
            const handed = [...ownerOf].find(([, owner]) => owner === people.c.id)[0];
            const res = await admin.patch(`/api/v1/contacts/${handed}`, {owner_id: people.d.id});
            assert.equal(res.status, 200, show(res));
            ownerOf.set(handed, people.d.id);
            await check('c', [people.b.id, people.c.id], 'after the hand-over');
            await check('d', [people.d.id], 'after the hand-over');

            // Heading a team is not membership: d, head of team one, still sees only its own.
            const headed = await admin.patch(`/api/v1/teams/${teams[0]}`, {head_user_id: people.d.id});
            assert.equal(headed.status, 200, show(headed));
            await check('d', [people.d.id], 'head of team one');
        });

        test('matrix: a read-only token gets 403 on every write and reads normally', async () => {
            const cells = new Cells('read-only token');
            const roIds = await freshIds(admin, adminAccount, backend.a.manager.id);
            const seq = await admin.lastEventSeq();
            for (const op of ops.filter((o) => !o.public)) {
                const res = await call(adminRo, op, roIds);
                assertSecurityHeaders(res, op.key);
                if (op.operator) {
                    cells.check(op, isProblem(res, 401) || isProblem(res, 403), show(res));
                } else if (op.write && !READ_ONLY_EXEMPT.has(op.key)) {
                    cells.check(op, isProblem(res, 403) && res.json.type === problemType('forbidden'), show(res));
                } else {
                    cells.check(op, res.status !== 401 && res.status !== 403 && res.status < 500, show(res));
                }
            }
            cells.done();
            assert.deepEqual(await admin.eventsAfter(seq), [], 'a read-only token wrote no record change');
            assert.equal((await admin.as({cookie: roIds.sessionCookie}).get('/api/v1/me')).status, 200, 'a read-only token cannot end sessions');
            const batch = await adminRo.post('/api/v1/batch', {operations: [{method: 'GET', path: `/api/v1/contacts/${roIds.records.contacts}`}]});
            assertProblem(batch, 403);
        });

        test('matrix: a deactivated user is 401 everywhere, by token and by session', async () => {
            const session = await login(base, backend.a.leaver.email, backend.a.leaver.password);
            const cookieApi = new Api(base, {cookie: session.cookie, csrf: session.csrf});
            assert.equal((await leaver.get('/api/v1/me')).status, 200, 'the token works before');
            assert.equal((await cookieApi.get('/api/v1/me')).status, 200, 'the session works before');
            assertProblem(await admin.patch(`/api/v1/users/${adminId}`, {active: false}), 400, 'active');
            const off = await admin.patch(`/api/v1/users/${backend.a.leaver.id}`, {active: false});
            assert.equal(off.status, 200, show(off));
            assert.equal(off.json.active, false);

            // A token issued (by the CLI) after deactivation: rejected for the account's state alone.
            const issued = spawnSync(fixture.binary, ['token', 'create', '--db', backend.db, '--email', backend.a.leaver.email], {encoding: 'utf8'});
            assert.equal(issued.status, 0, issued.stderr);
            const lateToken = new Api(base, {token: issued.stdout.trim()});

            const leaverIds = await freshIds(admin, adminAccount, backend.a.manager.id);
            const cells = new Cells('deactivated user');
            for (const op of ops.filter((o) => !o.public)) {
                for (const [label, api] of [['token', leaver], ['session', cookieApi], ['token issued after deactivation', lateToken]]) {
                    const res = await call(api, op, leaverIds);
                    cells.check(op, isProblem(res, 401) && res.json.type === problemType('unauthenticated'), `${label}: ${show(res)}`);
                }
            }
            cells.done();
            const again = await anon.post('/api/v1/auth/login', {email: backend.a.leaver.email, password: backend.a.leaver.password});
            assertProblem(again, 401);
            const on = await admin.patch(`/api/v1/users/${backend.a.leaver.id}`, {active: true});
            assert.equal(on.status, 200, show(on));
            assert.equal((await leaver.get('/api/v1/me')).status, 401, 'reactivation does not revive revoked tokens');
        });

        test('matrix: an admin reaches every operation (no route is unreachable)', async () => {
            const cells = new Cells('admin');
            const adminIds = await freshIds(admin, adminAccount, backend.a.manager.id);
            for (const op of ops) {
                const res = await call(admin, op, adminIds);
                assertSecurityHeaders(res, op.key);
                if (op.operator) {
                    cells.check(op, isProblem(res, 401) || isProblem(res, 403), `a company admin on an operator route: ${show(res)}`);
                    continue;
                }
                cells.check(op, ![401, 403, 405].includes(res.status) && res.status < 500, show(res));
            }
            cells.done();
        });

        test('matrix: an operator token reaches the operator routes and no company route', {skip: backend.operator_token ? false : 'this binary has no operator token command'}, async () => {
            const operatorApi = new Api(base, {token: backend.operator_token});
            // A throwaway company for PATCH/DELETE /operator/tenants/{id}.
            const created = spawnSync(fixture.binary, ['tenant', 'create', '--db', backend.db, '--name', uniq('Company C '), '--admin-email', `${uniq('c-')}@example.com`, '--admin-password', 'long-enough-1'], {encoding: 'utf8'});
            assert.equal(created.status, 0, created.stderr);
            const opIds = {...ids, tenantId: JSON.parse(created.stdout).tenant_id};
            const cells = new Cells('operator');
            for (const op of ops.filter((o) => !o.public)) {
                const res = await call(operatorApi, op, opIds);
                assertSecurityHeaders(res, op.key);
                if (op.operator) {
                    cells.check(op, ![401, 403, 405].includes(res.status) && res.status < 500, show(res));
                } else {
                    cells.check(op, isProblem(res, 401) || isProblem(res, 403), `an operator token on a company route: ${show(res)}`);
                }
            }
            cells.done();
            assert.equal((await admin.get('/api/v1/me')).status, 200, 'company A is untouched');
        });

        test('session login sets an HttpOnly SameSite=Lax cookie; cookie writes need X-CSRF-Token', async () => {
            const session = await login(base, adminAccount.email.toUpperCase(), adminAccount.password);
            const {res, setCookie, cookie, csrf} = session;
            assert.match(setCookie, /^voronka_session=[^;]{20,};/);
            assert.match(setCookie, /;\s*HttpOnly(;|$)/i);
            assert.match(setCookie, /;\s*SameSite=Lax(;|$)/i);
            assert.match(setCookie, /;\s*Path=\/(;|$)/i);
            assert.equal(res.json.user_id, adminId);
            assert.equal(res.json.role, 'admin');
            assert.equal(typeof csrf, 'string');
            assert.ok(csrf.length >= 16);
            assert.ok(!res.text.includes(cookie.split('=')[1]), 'the session secret is only in the cookie');

            const byCookie = new Api(base, {cookie});
            assert.equal((await byCookie.getOk('/api/v1/me')).id, adminId);
            const seq = await admin.lastEventSeq();
            assertProblem(await byCookie.post('/api/v1/contacts', {first_name: 'No CSRF'}), 403);
            assertProblem(await byCookie.post('/api/v1/contacts', {first_name: 'Wrong CSRF'}, {headers: {'x-csrf-token': `${csrf}x`}}), 403);
            assertProblem(await byCookie.patch(`/api/v1/contacts/${ids.records.contacts}`, {first_name: 'No CSRF'}), 403);
            assertProblem(await byCookie.delete(`/api/v1/contacts/${ids.records.contacts}`), 403);
            assertProblem(await byCookie.post('/api/v1/batch', {operations: [{method: 'POST', path: '/api/v1/contacts', body: {}}]}), 403);
            assertProblem(await byCookie.post('/api/v1/auth/logout'), 403);
            assert.deepEqual(await admin.eventsAfter(seq), [], 'cookie writes without the CSRF token changed nothing');

            const withCsrf = new Api(base, {cookie, csrf});
            const created = await withCsrf.post('/api/v1/contacts', {first_name: 'With CSRF'});
            assert.equal(created.status, 201, show(created));
            assert.equal((await withCsrf.patch(`/api/v1/contacts/${created.json.id}`, {position: 'x'})).status, 200);
            assert.equal((await withCsrf.delete(`/api/v1/contacts/${created.json.id}`)).status, 204);
            const otherSession = await login(base, backend.a.manager.email, backend.a.manager.password);
            assertProblem(await byCookie.post('/api/v1/contacts', {}, {headers: {'x-csrf-token': otherSession.csrf}}), 403);

            const sessions = await byCookie.getOk('/api/v1/sessions');
            assert.ok(sessions.data.length >= 1);
            const logout = await withCsrf.post('/api/v1/auth/logout');
            assert.equal(logout.status, 204, show(logout));
            assert.match(logout.headers.get('set-cookie') ?? '', /voronka_session=;.*Max-Age=0/i);
            assertProblem(await byCookie.get('/api/v1/me'), 401);

            const audit = await admin.getOk('/api/v1/audit');
            assert.ok(audit.data.some((e) => e.action === 'login.success' && e.actor_id === adminId), 'sign-ins are audited');
        });

        test('wrong credentials are 401 without revealing which part was wrong; missing ones are 400', async () => {
            const wrongPassword = await anon.post('/api/v1/auth/login', {email: backend.a.manager.email, password: 'wrong-password'});
            assertProblem(wrongPassword, 401);
            const unknown = await anon.post('/api/v1/auth/login', {email: 'nobody@example.com', password: 'wrong-password'});
            assertProblem(unknown, 401);
            assert.equal(unknown.json.detail, wrongPassword.json.detail, 'the same answer for an unknown email');
            assert.equal(wrongPassword.headers.get('set-cookie'), null);
            assertProblem(await anon.post('/api/v1/auth/login', {password: 'x'}), 400, 'email');
            assertProblem(await anon.post('/api/v1/auth/login', {email: backend.a.manager.email}), 400, 'password');
            assertProblem(await anon.post('/api/v1/auth/login', {email: 5, password: ['x']}), 400, 'email');
            const audit = await admin.getOk('/api/v1/audit');
            assert.ok(audit.data.some((e) => e.action === 'login.failure' && e.actor_id === backend.a.manager.id), 'failed sign-ins are audited');
            assert.ok(!JSON.stringify(audit).includes('wrong-password'), 'the audit log never holds a password');
        });

        test('login throttling: after 10 failures the next attempt is 429 with Retry-After', async () => {
            // From other loopback addresses, so the per-address throttle does not lock out the suite.
            const victim = backend.a.throttled;
            const from = '127.0.0.2';
            for (let i = 0; i < 10; i++) {
                const res = await requestFrom(base, from, 'POST', '/api/v1/auth/login', {email: victim.email, password: `wrong-${i}`});
                assert.equal(res.status, 401, `attempt ${i + 1}: ${res.text}`);
            }
            const locked = await requestFrom(base, from, 'POST', '/api/v1/auth/login', {email: victim.email, password: victim.password});
            assert.equal(locked.status, 429, `the 11th attempt, even with the right password: ${locked.text}`);
            assert.match(String(locked.headers['content-type']), /^application\/problem\+json/);
            assert.equal(locked.json.type, problemType('rate-limited'));
            const retryAfter = Number(locked.headers['retry-after']);
            assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 15 * 60 + 1, `Retry-After: ${locked.headers['retry-after']}`);
            assert.equal(locked.headers['set-cookie'], undefined);
            const elsewhere = await requestFrom(base, '127.0.0.3', 'POST', '/api/v1/auth/login', {email: victim.email, password: victim.password});
            assert.equal(elsewhere.status, 429, 'the account is throttled from any address');
            const sameAddress = await requestFrom(base, from, 'POST', '/api/v1/auth/login', {email: backend.a.manager.email, password: backend.a.manager.password});
            assert.equal(sameAddress.status, 429, 'the address is throttled for any account');
            const unaffected = await requestFrom(base, '127.0.0.4', 'POST', '/api/v1/auth/login', {email: backend.a.manager.email, password: backend.a.manager.password});
            assert.equal(unaffected.status, 200, `other accounts from other addresses still sign in: ${unaffected.text}`);
        });

        test('security headers on every kind of response', async () => {
            const responses = [
                await anon.get('/healthz'),
                await anon.get('/metrics'),
                await anon.get('/api/v1/openapi.json'),
                await anon.get('/api/v1/me'),
                await admin.get('/api/v1/me'),
                await admin.get('/api/v1/nope/nope/nope/nope'),
                await admin.request('PUT', '/api/v1/contacts'),
                await admin.get(`/api/v1/contacts/${ids.records.contacts}`, {headers: {'if-none-match': '"1"'}}),
                await admin.post('/api/v1/contacts', {first_name: 5}),
                await user.get('/api/v1/audit'),
                await anon.request('HEAD', '/healthz'),
                await anon.get('/'),
                await anon.get('/some/spa/route'),
            ];
            for (const res of responses) {
                assertSecurityHeaders(res);
                if (res.path.startsWith('/api/')) {
                    assert.match(res.headers.get('cache-control') ?? '', /no-store/, `Cache-Control on ${show(res)}`);
                }
            }
        });
    });
}
