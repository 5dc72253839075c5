// Field rules beyond record get and list: a custom role's hidden fields stay out of the merged
// timeline, stage history, product line totals, the board and duplicate titles, where responses
// are built outside the record engine. Each check also reads the same response as the admin, so
// it fails if the value was never there to hide.
import assert from 'node:assert/strict';
import {describe, test, before} from 'node:test';

import {assertProblem, clients, fixture, show, uniq} from './lib/api.js';

const ALL = {read: 'all', create: 'all', edit: 'all', delete: 'all'};

/** Hides money, tags and people's surnames and emails, and what activities say. */
const MONEY_HIDDEN = {
    entities: {
        deals: {...ALL, hidden_fields: ['amount', 'tags']},
        deal_lines: {...ALL, hidden_fields: ['total']},
        contacts: {...ALL, hidden_fields: ['last_name', 'email']},
        activities: {...ALL, hidden_fields: ['body']},
    },
    default: ALL,
};

/** Hides where a deal stands. */
const STAGE_HIDDEN = {entities: {deals: {...ALL, hidden_fields: ['stage_id']}}, default: ALL};

for (const backend of fixture.backends) {
    describe(`hidden fields outside record get/list [${backend.backend}]`, () => {
        const c = clients(backend);
        let pipeline;
        let stages;
        /** @type {import('./lib/api.js').Api} */
        let rep;
        /** @type {import('./lib/api.js').Api} */
        let stageBlind;

        // A signed-in user of a new custom role with `rules`.
        const signIn = async (rules) => {
            const role = await c.admin.post('/api/v1/roles', {name: uniq('Hidden '), rules});
            assert.equal(role.status, 201, show(role));
            const email = `${uniq('hidden')}@example.com`;
            const password = `${uniq('pw')}-Pw1`;
            const user = await c.admin.post('/api/v1/users', {email, password, name: 'Hidden', role: role.json.id});
            assert.equal(user.status, 201, show(user));
            const login = await c.anon.post('/api/v1/auth/login', {email, password});
            assert.equal(login.status, 200, show(login));
            return c.anon.as({cookie: login.headers.get('set-cookie').split(';')[0], csrf: login.json.csrf_token});
        };

        before(async () => {
            const created = await c.admin.post('/api/v1/pipelines', {
                name: uniq('Hidden pipeline '),
                stages: [
                    {name: 'New', probability: 10, kind: 'open'},
                    {name: 'Offer', probability: 60, kind: 'open'},
                ],
            });
            assert.equal(created.status, 201, show(created));
            pipeline = created.json.id;
            stages = created.json.stages.map((s) => s.id);
            rep = await signIn(MONEY_HIDDEN);
            stageBlind = await signIn(STAGE_HIDDEN);
        });

        const newDeal = async (body = {}) => {
            const res = await c.admin.post('/api/v1/deals', {
                title: uniq('Hidden deal '), pipeline_id: pipeline, stage_id: stages[0], amount: '7777.77', currency: 'RUB', tags: ['secret-tag'], ...body,
            });
            assert.equal(res.status, 201, show(res));
            return res.json;
        };

        test('the merged timeline leaves out hidden fields, fields derived from them and hidden activity text', async () => {
            const surname = uniq('Zzhiddensurname');
            const email = `${uniq('zzhiddenmail')}@example.com`;
            const contact = await c.admin.post('/api/v1/contacts', {first_name: 'Ivan', last_name: surname, email});
            assert.equal(contact.status, 201, show(contact));
            const id = contact.json.id;
            const changed = await c.admin.patch(`/api/v1/contacts/${id}`, {email: `2${email}`, last_name: `${surname}x`});
            assert.equal(changed.status, 200, show(changed));
            const note = await c.admin.post('/api/v1/activities', {type: 'note', subject: 'Call notes', body: 'zzhiddenbody text', related_entity: 'contacts', related_id: id});
            assert.equal(note.status, 201, show(note));

            const secrets = [surname.toLowerCase(), 'zzhiddenmail', 'zzhiddenbody'];
            const full = (await c.admin.get(`/api/v1/contacts/${id}/timeline`)).text.toLowerCase();
            for (const secret of secrets) {
                assert.ok(full.includes(secret), `the admin's timeline shows ${secret}`);
            }
            const seen = await rep.get(`/api/v1/contacts/${id}/timeline`);
            assert.equal(seen.status, 200, show(seen));
            const text = seen.text.toLowerCase();
            for (const secret of secrets) {
                assert.ok(!text.includes(secret), `${secret} leaked: ${show(seen)}`);
            }
            for (const item of seen.json.data) {
                if (item.kind === 'change') {
                    for (const field of ['last_name', 'email', 'email_key', 'name_key', 'name_latin']) {
                        assert.ok(!(field in item.changes), `${field} in ${JSON.stringify(item)}`);
                    }
                } else {
                    assert.equal(item.activity.subject, 'Call notes');
                    assert.ok(!('body' in item.activity), JSON.stringify(item));
                }
            }
            assert.ok(seen.json.data.some((i) => i.kind === 'activity'), 'the activity itself is listed');

            const deal = await newDeal();
            assert.equal((await c.admin.patch(`/api/v1/deals/${deal.id}`, {amount: '8888.88'})).status, 200);
            const dealTimeline = await rep.get(`/api/v1/deals/${deal.id}/timeline`);
            assert.equal(dealTimeline.status, 200, show(dealTimeline));
            assert.ok(!/7777|8888|secret-tag/.test(dealTimeline.text), show(dealTimeline));
            assert.match((await c.admin.get(`/api/v1/deals/${deal.id}/timeline`)).text, /8888\.88/);
        });

        test('product line totals leave out a hidden line total, and every amount when the deal amount is hidden and follows its lines', async () => {
            const lines = {lines: [{name: 'Shelf', quantity: 3, price: '33.33', tax_percent: 20}, {name: 'Box', quantity: 1, price: '0.01'}]};
            // The deal keeps its own amount: only the hidden line field is left out.
            const own = await newDeal();
            const put = await c.admin.request('PUT', `/api/v1/deals/${own.id}/lines`, {body: lines});
            assert.equal(put.status, 200, show(put));
            assert.equal(put.json.totals.total, '120.00', show(put));
            const seen = await rep.getOk(`/api/v1/deals/${own.id}/lines`);
            assert.equal(seen.totals.amount, '100.00', JSON.stringify(seen));
            assert.ok(!('total' in seen.totals), JSON.stringify(seen));
            assert.ok(seen.data.every((l) => !('total' in l) && l.price !== undefined), JSON.stringify(seen));

            // The deal's hidden amount is the lines' total: no money of the lines is shown.
            const follows = await newDeal({amount: null});
            const set = await c.admin.request('PUT', `/api/v1/deals/${follows.id}/lines`, {body: {...lines, set_amount: true}});
            assert.equal(set.status, 200, show(set));
            assert.equal((await c.admin.getOk(`/api/v1/deals/${follows.id}`)).amount, '120.00');
            const blind = await rep.getOk(`/api/v1/deals/${follows.id}/lines`);
            assert.deepEqual(Object.keys(blind.totals), ['currency'], JSON.stringify(blind));
            for (const line of blind.data) {
                for (const money of ['price', 'amount', 'tax_amount', 'total']) {
                    assert.ok(!(money in line), `${money} in ${JSON.stringify(line)}`);
                }
            }
            assert.ok(!/120\.00|100\.00|99\.99|33\.33/.test(JSON.stringify(blind)), JSON.stringify(blind));
            // A rep's own edit of the lines answers the same way.
            const edited = await rep.request('PUT', `/api/v1/deals/${follows.id}/lines`, {body: {lines: [{name: 'Chair', quantity: 2, price: '10.00'}]}});
            assert.equal(edited.status, 400, show(edited));
            const replaced = await rep.request('PUT', `/api/v1/deals/${own.id}/lines`, {body: {lines: [{name: 'Chair', quantity: 2, price: '10.00'}]}});
            assert.equal(replaced.status, 200, show(replaced));
            assert.ok(!('total' in replaced.json.totals), show(replaced));
        });

        test('board cards and sums leave out hidden fields; filtering on a hidden field is refused', async () => {
            await newDeal({stage_id: stages[1]});
            const full = await c.admin.getOk(`/api/v1/pipelines/${pipeline}/board?tag=secret-tag`);
            const offer = full.stages.find((s) => s.id === stages[1]);
            assert.ok(offer.sums.RUB, JSON.stringify(offer));
            assert.ok(offer.cards.some((card) => card.amount === '7777.77' && card.tags.includes('secret-tag')));
            const board = await rep.getOk(`/api/v1/pipelines/${pipeline}/board`);
            for (const stage of board.stages) {
                assert.deepEqual(stage.sums, {}, JSON.stringify(stage));
                for (const card of stage.cards) {
                    assert.ok(!('amount' in card) && !('tags' in card), JSON.stringify(card));
                }
            }
            assert.equal(board.stages.find((s) => s.id === stages[1]).count, offer.count);
            assertProblem(await rep.get(`/api/v1/pipelines/${pipeline}/board?tag=secret-tag`), 400, 'tag');
            // A role that may not see the stage gets neither the board nor the stage history.
            assertProblem(await stageBlind.get(`/api/v1/pipelines/${pipeline}/board`), 403);
        });

        test('stage history is empty for a role that may not see the stage', async () => {
            const deal = await newDeal();
            assert.equal((await c.admin.patch(`/api/v1/deals/${deal.id}`, {stage_id: stages[1]})).status, 200);
            const full = await c.admin.getOk(`/api/v1/deals/${deal.id}/stage-history`);
            assert.ok(full.data.some((m) => m.to_stage_id === stages[1]), JSON.stringify(full));
            const blind = await stageBlind.getOk(`/api/v1/deals/${deal.id}/stage-history`);
            assert.deepEqual(blind.data, [], JSON.stringify(blind));
            assert.ok(!JSON.stringify(blind).includes(stages[1]));
        });

        test('duplicate titles leave out hidden fields, in the pair list and per record', async () => {
            const surname = uniq('Zzdupsurname');
            const email = `${uniq('zzdup')}@example.com`;
            const ids = [];
            for (let i = 0; i < 2; i++) {
                const made = await c.admin.post('/api/v1/contacts', {first_name: 'Olena', last_name: surname, email, phone: '+380441234567'});
                assert.equal(made.status, 201, show(made));
                ids.push(made.json.id);
            }
            const scan = await c.admin.post('/api/v1/duplicates/scan', {entity: 'contacts'});
            assert.equal(scan.status, 200, show(scan));
            const mine = (pairs) => pairs.data.filter((p) => ids.includes(p.left.id) && ids.includes(p.right.id));
            const full = mine(await c.admin.getOk('/api/v1/duplicates?entity=contacts&limit=500'));
            assert.equal(full.length, 1, 'the scan found the pair');
            assert.equal(full[0].left.title, `Olena ${surname}`);
            const seen = mine(await rep.getOk('/api/v1/duplicates?entity=contacts&limit=500'));
            assert.equal(seen.length, 1);
            assert.equal(seen[0].left.title, 'Olena');
            assert.equal(seen[0].right.title, 'Olena');

            const adminMatches = await c.admin.getOk(`/api/v1/contacts/${ids[0]}/duplicates`);
            assert.ok(adminMatches.data.some((d) => d.id === ids[1] && d.title.includes(surname)), JSON.stringify(adminMatches));
            const repMatches = await rep.get(`/api/v1/contacts/${ids[0]}/duplicates`);
            assert.equal(repMatches.status, 200, show(repMatches));
            assert.ok(repMatches.json.data.some((d) => d.id === ids[1]), show(repMatches));
            assert.ok(!repMatches.text.toLowerCase().includes(surname.toLowerCase()), show(repMatches));

            // Reasons name the fields they compared: the role hiding the email and the surname is
            // not told that those agree, the visible phone still counts as a reason.
            const reasonsOf = (matches) => matches.find((d) => d.id === ids[1]).reasons;
            assert.ok(reasonsOf(adminMatches.data).includes('same_email'), JSON.stringify(adminMatches));
            const repReasons = reasonsOf(repMatches.json.data);
            assert.ok(repReasons.includes('same_phone'), JSON.stringify(repReasons));
            for (const r of repReasons) {
                assert.ok(!/email|name/.test(r), `reason ${r} compares a hidden field`);
            }
            assert.ok(full[0].reasons.some((r) => /email|name/.test(r)), JSON.stringify(full[0]));
            for (const r of seen[0].reasons) {
                assert.ok(!/email|name/.test(r), `pair reason ${r} compares a hidden field`);
            }
        });
    });
}
