// Saved list views (`list_views`, served by the generic record engine): a private view is seen by
// its owner only, a team view by the owner's team, and by nobody else — administrators and other
// companies included; only the owner changes a view; one default per list; bad shapes are 400.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';

import {Api, assertProblem, clients, fixture, show, uniq} from './lib/api.js';

async function member(admin, base, teamId, role = 'user') {
    const email = `${uniq('views-')}@example.com`;
    const password = `pw-${uniq()}`;
    const created = await admin.post('/api/v1/users', {email, password, role, name: email, ...(teamId ? {team_id: teamId} : {})});
    assert.equal(created.status, 201, show(created));
    const login = await new Api(base).post('/api/v1/auth/login', {email, password});
    assert.equal(login.status, 200, show(login));
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    return {id: created.json.id, api: new Api(base, {cookie, csrf: login.json.csrf_token})};
}

for (const backend of fixture.backends) {
    describe(`list views [${backend.backend}]`, () => {
        const {admin, adminB, userB} = clients(backend);
        const base = backend.base_url;

        test('private views stay with their owner, team views with the team, nobody else sees either', async () => {
            const teamA = (await admin.post('/api/v1/teams', {name: uniq('Views A ')})).json;
            const teamB = (await admin.post('/api/v1/teams', {name: uniq('Views B ')})).json;
            const owner = await member(admin, base, teamA.id);
            const mate = await member(admin, base, teamA.id);
            const stranger = await member(admin, base, teamB.id);
            const boss = await member(admin, base, teamB.id, 'admin');
            const tag = uniq('view-');

            const priv = await owner.api.post('/api/v1/list_views', {
                entity: 'deals',
                name: `${tag} private`,
                filters: {'filter[status]': 'open', 'filter[amount][gte]': '100'},
                sort: '-amount',
                columns: ['title', 'amount'],
            });
            assert.equal(priv.status, 201, show(priv));
            assert.equal(priv.json.visibility, 'private', 'private unless shared');
            assert.equal(priv.json.owner_id, owner.id);
            assert.deepEqual(priv.json.filters, {'filter[status]': 'open', 'filter[amount][gte]': '100'});
            const shared = await owner.api.post('/api/v1/list_views', {entity: 'deals', name: `${tag} team`, visibility: 'team'});
            assert.equal(shared.status, 201, show(shared));

            const names = async (api) =>
                (await api.getOk(`/api/v1/list_views?filter[entity]=deals&filter[name][starts]=${encodeURIComponent(tag)}`)).data.map((v) => v.name).sort();
            assert.deepEqual(await names(owner.api), [`${tag} private`, `${tag} team`]);
            assert.deepEqual(await names(mate.api), [`${tag} team`], 'a teammate sees the shared view only');
            for (const [who, api] of [['another team', stranger.api], ['an admin of another team', boss.api], ['the company admin', admin], ['another company', adminB], ['another company user', userB]]) {
                assert.deepEqual(await names(api), [], `${who} sees neither view`);
                assertProblem(await api.get(`/api/v1/list_views/${priv.json.id}`), 404);
                assertProblem(await api.get(`/api/v1/list_views/${shared.json.id}`), 404);
                assertProblem(await api.patch(`/api/v1/list_views/${priv.json.id}`, {name: 'taken'}), 404);
                assertProblem(await api.get(`/api/v1/list_views/${priv.json.id}/history`), 404);
            }
            assertProblem(await mate.api.get(`/api/v1/list_views/${priv.json.id}`), 404);
            assert.equal((await mate.api.get(`/api/v1/list_views/${shared.json.id}`)).status, 200);

            // Nor does the event log, not even to the company admin; an admin of the owner's team
            // follows the shared view's events, never the private one's.
            const lead = await member(admin, base, teamA.id, 'admin');
            const logged = async (api) => {
                const ids = new Set();
                for (let after = 0; ;) {
                    const page = await api.getOk(`/api/v1/events?after=${after}&limit=1000`);
                    if (page.data.length === 0 && page.next_after === after) break;
                    for (const e of page.data) ids.add(e.record_id);
                    after = page.next_after;
                }
                return ids;
            };
            const companyLog = await logged(admin);
            assert.ok(!companyLog.has(priv.json.id) && !companyLog.has(shared.json.id), 'the company admin follows no view events');
            const teamLog = await logged(lead.api);
            assert.ok(teamLog.has(shared.json.id), 'an admin of the owner team follows the shared view');
            assert.ok(!teamLog.has(priv.json.id), 'but not the private one');

            // Only the owner changes or deletes a view, shared or not, and cannot give it away.
            assertProblem(await mate.api.patch(`/api/v1/list_views/${shared.json.id}`, {name: 'mine now'}), 403);
            assertProblem(await mate.api.delete(`/api/v1/list_views/${shared.json.id}`), 403);
            assertProblem(await owner.api.patch(`/api/v1/list_views/${shared.json.id}`, {owner_id: mate.id}), 403);
            assertProblem(await mate.api.post('/api/v1/list_views', {entity: 'deals', name: 'planted', owner_id: owner.id}), 403);
            const renamed = await owner.api.patch(`/api/v1/list_views/${priv.json.id}`, {name: `${tag} renamed`, visibility: 'team'});
            assert.equal(renamed.status, 200, show(renamed));
            assert.deepEqual(await names(mate.api), [`${tag} renamed`, `${tag} team`], 'sharing shows it to the team');

            // Search and the recycle bin do not reveal views either.
            assert.ok(!(await admin.getOk(`/api/v1/search?q=${encodeURIComponent(tag)}`)).data.some((h) => h.entity === 'list_views'));
            assert.equal((await owner.api.delete(`/api/v1/list_views/${shared.json.id}`)).status, 204);
            const bin = await admin.getOk('/api/v1/recycle-bin');
            assert.ok(!JSON.stringify(bin).includes(shared.json.id), 'the admin recycle bin does not list the deleted view');
            const ownBin = await owner.api.getOk('/api/v1/recycle-bin');
            assert.ok(JSON.stringify(ownBin).includes(shared.json.id), 'the owner finds it in the recycle bin');
        });

        test('one default per list and owner; filters and columns must replay as a list request', async () => {
            const me = await member(admin, base, null);
            const first = await me.api.post('/api/v1/list_views', {entity: 'contacts', name: 'First', is_default: true});
            assert.equal(first.status, 201, show(first));
            assertProblem(await me.api.post('/api/v1/list_views', {entity: 'contacts', name: 'Second', is_default: true}), 409, 'is_default');
            const other = await me.api.post('/api/v1/list_views', {entity: 'leads', name: 'Leads default', is_default: true});
            assert.equal(other.status, 201, 'another list has its own default');
            assert.equal((await me.api.patch(`/api/v1/list_views/${first.json.id}`, {is_default: false})).status, 200);
            assert.equal((await me.api.post('/api/v1/list_views', {entity: 'contacts', name: 'Second', is_default: true})).status, 201);

            assertProblem(await me.api.post('/api/v1/list_views', {entity: 'contacts', name: 'x', filters: ['filter[a]']}), 400, 'filters');
            assertProblem(await me.api.post('/api/v1/list_views', {entity: 'contacts', name: 'x', filters: {sort: 'name'}}), 400, (f) => f.startsWith('filters'));
            assertProblem(await me.api.post('/api/v1/list_views', {entity: 'contacts', name: 'x', columns: ['ok', 'drop table']}), 400, 'columns');
            assertProblem(await me.api.post('/api/v1/list_views', {entity: 'users', name: 'x'}), 400, 'entity');
            assertProblem(await me.api.post('/api/v1/list_views', {entity: 'contacts', name: 'x', visibility: 'everyone'}), 400, 'visibility');
            assertProblem(await me.api.post('/api/v1/list_views', {entity: 'contacts'}), 400, 'name');
        });
    });
}
