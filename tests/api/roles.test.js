// Custom roles over HTTP: CRUD by admins only, tenant isolation, field rules seen by a signed-in
// user of the role, self-service profile, and the rate-limit headers and 429.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';

import {Api, assertProblem, clients, fixture, show, uniq} from './lib/api.js';
import {createRecord} from './lib/records.js';

const RULES = {
    entities: {
        deals: {read: 'own', create: 'own', edit: 'own', delete: 'none', hidden_fields: ['amount'], read_only_fields: ['probability']},
    },
    default: {read: 'own', create: 'own', edit: 'own', delete: 'own'},
};

for (const backend of fixture.backends) {
    describe(`roles [${backend.backend}]`, () => {
        const c = clients(backend);

        test('admins create, read, change and delete custom roles; built-in roles are listed read-only', async () => {
            const name = uniq('Rep ');
            const created = await c.admin.post('/api/v1/roles', {name, description: 'Field sales', rules: RULES});
            assert.equal(created.status, 201, show(created));
            assert.equal(created.json.builtin, false);
            assert.deepEqual(created.json.rules.entities.deals.hidden_fields, ['amount']);
            const id = created.json.id;
            const list = await c.admin.getOk('/api/v1/roles');
            assert.deepEqual(list.data.slice(0, 3).map((r) => [r.id, r.builtin]), [['admin', true], ['manager', true], ['user', true]]);
            assert.ok(list.data.some((r) => r.id === id && r.name === name));
            assertProblem(await c.admin.post('/api/v1/roles', {name: name.toUpperCase(), rules: {}}), 409, 'name');
            assertProblem(await c.admin.post('/api/v1/roles', {name: uniq('x'), rules: {entities: {deals: {read: 'sometimes'}}}}), 400, 'rules.entities.deals.read');
            assertProblem(await c.admin.post('/api/v1/roles', {name: uniq('x'), rules: {entities: {nothing: {}}}}), 400, 'rules.entities.nothing');
            assertProblem(await c.admin.post('/api/v1/roles', {name: uniq('x'), rules: {entities: {deals: {hidden_fields: ['nope']}}}}), 400, 'rules.entities.deals.hidden_fields[0]');
            const renamed = await c.admin.patch(`/api/v1/roles/${id}`, {name: `${name} 2`});
            assert.equal(renamed.status, 200, show(renamed));
            assert.equal(renamed.json.version, 2);
            assert.deepEqual(renamed.json.rules, created.json.rules);
            assertProblem(await c.admin.patch('/api/v1/roles/manager', {name: 'Boss'}), 403);
            assert.equal((await c.admin.delete(`/api/v1/roles/${id}`)).status, 204);
            assertProblem(await c.admin.get(`/api/v1/roles/${id}`), 404);
            const audit = await c.admin.getOk('/api/v1/audit');
            for (const action of ['role.create', 'role.update', 'role.delete']) {
                assert.ok(audit.data.some((e) => e.action === action && e.detail.role_id === id), `audit has ${action}`);
            }
        });

        test('users and managers get 403, other companies see and assign nothing', async () => {
            const role = await c.admin.post('/api/v1/roles', {name: uniq('Private '), rules: RULES});
            assert.equal(role.status, 201, show(role));
            const id = role.json.id;
            for (const api of [c.user, c.manager, c.userB]) {
                assertProblem(await api.get('/api/v1/roles'), 403);
                assertProblem(await api.post('/api/v1/roles', {name: uniq('x'), rules: {}}), 403);
                assertProblem(await api.patch(`/api/v1/roles/${id}`, {name: 'x'}), 403);
                assertProblem(await api.delete(`/api/v1/roles/${id}`), 403);
            }
            assertProblem(await c.adminB.get(`/api/v1/roles/${id}`), 404);
            assertProblem(await c.adminB.patch(`/api/v1/roles/${id}`, {name: 'Taken'}), 404);
            assertProblem(await c.adminB.delete(`/api/v1/roles/${id}`), 404);
            const listB = await c.adminB.getOk('/api/v1/roles');
            assert.ok(!listB.data.some((r) => r.id === id), 'B does not list A’s role');
            assertProblem(await c.adminB.patch(`/api/v1/users/${backend.b.user.id}`, {role: id}), 400, 'role');
            assertProblem(await c.adminB.patch(`/api/v1/users/${backend.b.user.id}`, {role: role.json.name}), 400, 'role');
            assert.equal((await c.admin.get(`/api/v1/roles/${id}`)).json.name, role.json.name, 'unchanged');
            assert.equal((await c.admin.delete(`/api/v1/roles/${id}`)).status, 204);
        });

        test('a signed-in user of a custom role never sees a hidden field and cannot write a read-only one', async () => {
            const role = await c.admin.post('/api/v1/roles', {name: uniq('Hidden amount '), rules: RULES});
            assert.equal(role.status, 201, show(role));
            const email = `${uniq('rep')}@example.com`;
            const password = `${uniq('pw')}-Pw1`;
            const created = await c.admin.post('/api/v1/users', {email, password, name: 'Rep', role: role.json.name});
            assert.equal(created.status, 201, show(created));
            const login = await c.anon.post('/api/v1/auth/login', {email, password});
            assert.equal(login.status, 200, show(login));
            const cookie = login.headers.get('set-cookie').split(';')[0];
            // A new tab has only the cookie: it reads the CSRF token from /me.
            const me = await c.anon.as({cookie}).getOk('/api/v1/me');
            assert.equal(me.csrf_token, login.json.csrf_token);
            assert.equal(me.role_name, role.json.name);
            const rep = c.anon.as({cookie, csrf: me.csrf_token});
            const deal = await createRecord(c.admin, 'deals', {owner_id: created.json.id, probability: 30});
            assert.ok(deal.amount !== undefined, 'the admin sees the amount');
            const got = await rep.getOk(`/api/v1/deals/${deal.id}`);
            assert.equal(got.amount, undefined, JSON.stringify(got));
            assert.equal(got.probability, 30);
            const list = await rep.getOk('/api/v1/deals');
            assert.deepEqual(list.data.map((d) => d.id), [deal.id]);
            assert.ok(list.data.every((d) => !('amount' in d)));
            const history = await rep.getOk(`/api/v1/deals/${deal.id}/history`);
            assert.ok(history.data.every((v) => !('amount' in v.changes)), JSON.stringify(history));
            assertProblem(await rep.get('/api/v1/deals?filter[amount][gt]=0'), 400, 'filter[amount]');
            assertProblem(await rep.get('/api/v1/deals?sort=amount'), 400, 'sort');
            const meta = await rep.getOk('/api/v1/meta/deals');
            assert.ok(!meta.fields.some((f) => f.name === 'amount'));
            assert.equal(meta.fields.find((f) => f.name === 'probability').read_only, true);
            assertProblem(await rep.patch(`/api/v1/deals/${deal.id}`, {probability: 99}), 400, 'probability');
            assertProblem(await rep.patch(`/api/v1/deals/${deal.id}`, {amount: '1.00'}), 400, 'amount');
            const after = await c.admin.getOk(`/api/v1/deals/${deal.id}`);
            assert.equal(after.version, deal.version, 'nothing was written');
            assert.equal(after.probability, 30);
            // Showing the amount again applies to the rep's next request.
            const shown = await c.admin.patch(`/api/v1/roles/${role.json.id}`, {rules: {...RULES, entities: {deals: {...RULES.entities.deals, hidden_fields: []}}}});
            assert.equal(shown.status, 200, show(shown));
            assert.equal((await rep.getOk(`/api/v1/deals/${deal.id}`)).amount, after.amount);
            assertProblem(await c.admin.delete(`/api/v1/roles/${role.json.id}`), 409);
            assert.equal((await c.admin.patch(`/api/v1/users/${created.json.id}`, {role: 'user'})).status, 200);
            assert.equal((await c.admin.delete(`/api/v1/roles/${role.json.id}`)).status, 204);
        });

        test('any signed-in user edits their own name, language and time zone, and nothing else', async () => {
            const before = await c.user.getOk('/api/v1/me');
            const changed = await c.user.patch('/api/v1/me', {name: 'User A (tz)', locale: 'en', time_zone: 'Asia/Yekaterinburg'});
            assert.equal(changed.status, 200, show(changed));
            assert.equal(changed.json.time_zone, 'Asia/Yekaterinburg');
            assert.equal((await c.user.getOk('/api/v1/me')).locale, 'en');
            assertProblem(await c.user.patch('/api/v1/me', {time_zone: 'Europe/Atlantis'}), 400, 'time_zone');
            assertProblem(await c.user.patch('/api/v1/me', {locale: 'fr'}), 400, 'locale');
            assertProblem(await c.user.patch('/api/v1/me', {role: 'admin'}), 400, 'role');
            assertProblem(await c.adminRo.patch('/api/v1/me', {name: 'x'}), 403);
            assertProblem(await c.anon.patch('/api/v1/me', {name: 'x'}), 401);
            assert.equal((await c.user.getOk('/api/v1/me')).role, 'user');
            const restored = await c.user.patch('/api/v1/me', {name: before.name, locale: before.locale, time_zone: before.time_zone});
            assert.equal(restored.status, 200, show(restored));
        });

        test('every API response carries RateLimit headers', async () => {
            // run.sh serves with --rate-limit 1000000, which refills within microseconds: the
            // countdown itself is checked on a dedicated server below.
            for (const res of [await c.admin.get('/api/v1/me'), await c.admin.get('/api/v1/nothing-here'), await c.anon.get('/api/v1/me')]) {
                assert.equal(res.headers.get('ratelimit-limit'), '1000000', show(res));
                const remaining = Number(res.headers.get('ratelimit-remaining'));
                assert.ok(remaining >= 999990 && remaining < 1000000, show(res));
                assert.match(res.headers.get('ratelimit-reset') ?? '', /^\d+$/);
            }
        });
    });
}

test('over the limit: 429 problem with Retry-After, per credential', async () => {
    const dir = fs.mkdtempSync(path.join(fixture.work_dir, 'ratelimit-'));
    const child = spawn(fixture.binary, ['serve', '--db', path.join(dir, 'r.db'), '--listen', '127.0.0.1:0', '--threads', '2', '--rate-limit', '3'], {stdio: ['ignore', 'pipe', 'pipe']});
    try {
        const base = await new Promise((resolve, reject) => {
            let seen = '';
            const timer = setTimeout(() => reject(new Error(`no start: ${seen}`)), 60000);
            const onData = (chunk) => {
                seen += chunk.toString('utf8');
                const m = /Voronka is listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen);
                if (m) {
                    clearTimeout(timer);
                    resolve(m[1]);
                }
            };
            child.stdout.on('data', onData);
            child.stderr.on('data', onData);
        });
        const anon = new Api(base);
        const remaining = [];
        for (let i = 0; i < 3; i++) {
            const res = await anon.get('/api/v1/me');
            assert.equal(res.status, 401, show(res));
            remaining.push(res.headers.get('ratelimit-remaining'));
        }
        assert.deepEqual(remaining, ['2', '1', '0']);
        const refused = await anon.get('/api/v1/me');
        assertProblem(refused, 429);
        assert.match(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
        assert.equal(refused.headers.get('ratelimit-remaining'), '0');
        assert.equal((await anon.get('/healthz')).status, 200, 'health checks are not limited');
    } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
        fs.rmSync(dir, {recursive: true, force: true});
    }
});
