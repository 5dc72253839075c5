// An API token's own rate limit, set through the tokens API or `voronka token create
// --rate-limit`, replaces the server's default for that token alone (run.sh serves with
// --rate-limit 1000000, so the default never runs out here).
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {describe, test} from 'node:test';

import {Api, assertProblem, clients, fixture, show, uniq} from './lib/api.js';

for (const backend of fixture.backends) {
    describe(`per-token rate limits [${backend.backend}]`, () => {
        const c = clients(backend);

        test('a token created with rate_limit gets that many requests a minute, then 429', async () => {
            const created = await c.admin.post('/api/v1/tokens', {name: uniq('limited '), rate_limit: 3});
            assert.equal(created.status, 201, show(created));
            assert.equal(created.json.rate_limit, 3);
            const listed = (await c.admin.getOk('/api/v1/tokens')).data.find((t) => t.id === created.json.id);
            assert.equal(listed.rate_limit, 3);
            const limited = new Api(backend.base_url, {token: created.json.token});
            const remaining = [];
            for (let i = 0; i < 3; i++) {
                const res = await limited.get('/api/v1/me');
                assert.equal(res.status, 200, show(res));
                assert.equal(res.headers.get('ratelimit-limit'), '3', show(res));
                remaining.push(res.headers.get('ratelimit-remaining'));
            }
            assert.deepEqual(remaining, ['2', '1', '0']);
            const refused = await limited.get('/api/v1/me');
            assertProblem(refused, 429);
            assert.match(refused.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
            // Other tokens of the same user keep the server's default.
            const other = await c.admin.get('/api/v1/me');
            assert.equal(other.status, 200, show(other));
            assert.equal(other.headers.get('ratelimit-limit'), '1000000');
            const plain = await c.admin.post('/api/v1/tokens', {name: uniq('plain ')});
            assert.equal(plain.status, 201, show(plain));
            assert.equal(plain.json.rate_limit, null);
            const plainRes = await new Api(backend.base_url, {token: plain.json.token}).get('/api/v1/me');
            assert.equal(plainRes.headers.get('ratelimit-limit'), '1000000', show(plainRes));
            for (const id of [created.json.id, plain.json.id]) {
                assert.equal((await c.admin.delete(`/api/v1/tokens/${id}`)).status, 204);
            }
        });

        test('a bad rate_limit is a 400 naming the field and creates no token', async () => {
            const before = (await c.user.getOk('/api/v1/tokens')).data.length;
            for (const rate_limit of [0, -5, 1.5, '10', 1000001, true]) {
                assertProblem(await c.user.post('/api/v1/tokens', {name: 'bad', rate_limit}), 400, 'rate_limit');
            }
            assert.equal((await c.user.getOk('/api/v1/tokens')).data.length, before);
        });

        test('`voronka token create --rate-limit N` sets the token’s limit', async () => {
            const out = spawnSync(fixture.binary, ['token', 'create', '--db', backend.db, '--email', backend.a.user.email, '--name', uniq('cli '), '--rate-limit', '2'], {encoding: 'utf8'});
            assert.equal(out.status, 0, out.stderr);
            const api = new Api(backend.base_url, {token: out.stdout.trim()});
            const first = await api.get('/api/v1/me');
            assert.equal(first.status, 200, show(first));
            assert.equal(first.headers.get('ratelimit-limit'), '2');
            assert.equal(first.headers.get('ratelimit-remaining'), '1');
            assert.equal((await api.get('/api/v1/me')).status, 200);
            assertProblem(await api.get('/api/v1/me'), 429);
            const bad = spawnSync(fixture.binary, ['token', 'create', '--db', backend.db, '--email', backend.a.user.email, '--rate-limit', '0'], {encoding: 'utf8'});
            assert.notEqual(bad.status, 0, 'a zero limit is refused');
        });
    });
}
