// The sales contract over HTTP: pipelines with stage ids, deals with exact money, moves with
// If-Match and loss reasons, the board's counts and per-currency sums, lead conversion, product
// lines; bad input writes nothing; another company and anonymous callers get nothing.
import assert from 'node:assert/strict';
import {describe, test, before} from 'node:test';

import {assertProblem, clients, fixture, show, uniq} from './lib/api.js';

for (const backend of fixture.backends) {
    describe(`sales [${backend.backend}]`, () => {
        const {admin, anon, adminB} = clients(backend);
        let pipeline;
        let stages;
        let other;

        before(async () => {
            const created = await admin.post('/api/v1/pipelines', {
                name: uniq('Retail '),
                stages: [
                    {name: 'New', probability: 10, kind: 'open'},
                    {name: 'Offer', probability: 60, kind: 'open'},
                    {name: 'Won', probability: 100, kind: 'won'},
                    {name: 'Lost', probability: 0, kind: 'lost'},
                ],
            });
            assert.equal(created.status, 201, show(created));
            pipeline = created.json.id;
            stages = created.json.stages.map((s) => s.id);
            assert.equal(stages.length, 4);
            const second = await admin.post('/api/v1/pipelines', {
                name: uniq('Wholesale '), stages: [{name: 'Only', probability: 5, kind: 'open'}],
            });
            assert.equal(second.status, 201, show(second));
            other = second.json.stages[0].id;
        });

        const newDeal = async (body = {}) => {
            const res = await admin.post('/api/v1/deals', {
                title: uniq('Deal '), pipeline_id: pipeline, stage_id: stages[0], amount: '1500.50', currency: 'RUB', ...body,
            });
            assert.equal(res.status, 201, show(res));
            return res;
        };

        test('deals keep exact amounts and the board sums them per currency', async () => {
            await newDeal();
            await newDeal({amount: '1500.50'});
            await newDeal({amount: '0.99', currency: 'USD'});
            const board = await admin.getOk(`/api/v1/pipelines/${pipeline}/board`);
            const first = board.stages.find((s) => s.id === stages[0]);
            assert.ok(first, JSON.stringify(board));
            assert.equal(first.count, 3);
            assert.deepEqual(first.sums, {RUB: '3001.00', USD: '0.99'});
            assert.equal(first.cards.length, 3);
            assertProblem(await anon.get(`/api/v1/pipelines/${pipeline}/board`), 401);
            assertProblem(await adminB.get(`/api/v1/pipelines/${pipeline}/board`), 404);
        });

        test('a move with a stale If-Match is refused and loses nothing', async () => {
            const deal = await newDeal();
            const id = deal.json.id;
            const etag = deal.headers.get('etag');
            const moved = await admin.patch(`/api/v1/deals/${id}`, {stage_id: stages[1]}, {headers: {'if-match': etag}});
            assert.equal(moved.status, 200, show(moved));
            assert.equal(moved.json.probability, 60);
            const stale = await admin.patch(`/api/v1/deals/${id}`, {stage_id: stages[0]}, {headers: {'if-match': etag}});
            assertProblem(stale, 412);
            assert.equal((await admin.getOk(`/api/v1/deals/${id}`)).stage_id, stages[1]);
            const history = await admin.getOk(`/api/v1/deals/${id}/history`);
            const stageChanges = history.data.filter((v) => v.changes && v.changes.stage_id);
            assert.ok(stageChanges.length >= 1, JSON.stringify(history));
        });

        test('bad moves and bad money answer 4xx naming the field and write nothing', async () => {
            const deal = await newDeal();
            const id = deal.json.id;
            assertProblem(await admin.patch(`/api/v1/deals/${id}`, {stage_id: stages[3]}), 400, 'loss_reason');
            assertProblem(await admin.patch(`/api/v1/deals/${id}`, {stage_id: other}), 400, 'stage_id');
            assertProblem(await admin.post('/api/v1/deals', {title: 'x', pipeline_id: pipeline, stage_id: stages[0], amount: '1.005', currency: 'RUB'}), 400, 'amount');
            assertProblem(await admin.post('/api/v1/deals', {title: 'x', pipeline_id: pipeline, stage_id: stages[0], amount: '1.00', currency: 'XXQ'}), 400, 'currency');
            const after = await admin.getOk(`/api/v1/deals/${id}`);
            assert.equal(after.stage_id, stages[0]);
            assert.equal(after.version, deal.json.version);
            const lost = await admin.patch(`/api/v1/deals/${id}`, {stage_id: stages[3], loss_reason: 'price'});
            assert.equal(lost.status, 200, show(lost));
            assert.equal(lost.json.status, 'lost');
            assertProblem(await adminB.patch(`/api/v1/deals/${id}`, {title: 'stolen'}), 404);
        });

        test('product lines total exactly; a negative quantity writes nothing', async () => {
            const deal = await newDeal({amount: null});
            const id = deal.json.id;
            const bad = await admin.request('PUT', `/api/v1/deals/${id}/lines`, {body: {lines: [{name: 'Shelf', quantity: -1, price: '10.00'}]}});
            assertProblem(bad, 400, (f) => f.startsWith('lines[0]'));
            const ok = await admin.request('PUT', `/api/v1/deals/${id}/lines`, {body: {
                lines: [{name: 'Shelf', quantity: 3, price: '33.33'}, {name: 'Box', quantity: 1, price: '0.01'}],
            }});
            assert.equal(ok.status, 200, show(ok));
            const lines = await admin.getOk(`/api/v1/deals/${id}/lines`);
            const rows = lines.data ?? lines.lines ?? lines;
            assert.equal(rows.length, 2, JSON.stringify(lines));
            assert.deepEqual(rows.map((l) => l.total).sort(), ['0.01', '99.99']);
        });

        test('Idempotency-Key on leads and deals: a repeat answers the first response and writes nothing', async () => {
            const lastName = uniq('Idem');
            const bodies = {
                leads: {first_name: 'Олена', last_name: lastName, email: `${uniq('idem')}@example.ua`, source: 'web_form'},
                deals: {title: uniq('Idem deal '), pipeline_id: pipeline, stage_id: stages[0], amount: '10.00', currency: 'RUB'},
            };
            for (const [entity, body] of Object.entries(bodies)) {
                const key = uniq('key-');
                const first = await admin.post(`/api/v1/${entity}`, body, {headers: {'idempotency-key': key}});
                assert.equal(first.status, 201, show(first));
                assert.ok(first.headers.get('location')?.endsWith(first.json.id), show(first));
                const seq = await admin.lastEventSeq();
                const repeat = await admin.post(`/api/v1/${entity}`, body, {headers: {'idempotency-key': key}});
                assert.equal(repeat.status, 201, show(repeat));
                assert.deepEqual(repeat.json, first.json, `${entity}: the repeat returns the first response`);
                assert.equal(repeat.headers.get('etag'), first.headers.get('etag'));
                assert.equal(repeat.headers.get('idempotent-replayed'), 'true');
                assert.deepEqual(await admin.eventsAfter(seq), [], `${entity}: the repeat writes nothing`);
                assertProblem(await admin.post(`/api/v1/${entity}`, {...body, source: 'call', title: undefined}, {headers: {'idempotency-key': key}}), 409, 'Idempotency-Key');
                assertProblem(await adminB.post(`/api/v1/${entity}`, body, {headers: {'idempotency-key': 'k'.repeat(201)}}), 400, 'Idempotency-Key');
                assert.deepEqual(await admin.eventsAfter(seq), [], `${entity}: refused requests write nothing`);
            }
            const owned = await admin.getOk(`/api/v1/leads?filter[last_name]=${lastName}`);
            assert.equal(owned.data.length, 1, 'one lead, distributed once');
        });

        test('converting a lead makes contact, company and deal in one go', async () => {
            const lead = await admin.post('/api/v1/leads', {
                first_name: 'Олена', last_name: uniq('Коваль'), company_name: uniq('ТОВ Лан '),
                email: `${uniq('olena')}@example.ua`, source: 'web_form',
            });
            assert.equal(lead.status, 201, show(lead));
            assertProblem(await adminB.post(`/api/v1/leads/${lead.json.id}/convert`, {}), 404);
            const converted = await admin.post(`/api/v1/leads/${lead.json.id}/convert`, {});
            assert.equal(converted.status, 200, show(converted));
            for (const key of ['contact_id', 'company_id', 'deal_id']) {
                assert.equal(typeof converted.json[key], 'string', show(converted));
            }
            const contact = await admin.getOk(`/api/v1/contacts/${converted.json.contact_id}`);
            assert.equal(contact.first_name, 'Олена');
            assert.equal(contact.company_id, converted.json.company_id);
            const again = await admin.post(`/api/v1/leads/${lead.json.id}/convert`, {});
            assert.ok(again.status === 409 || again.status === 400, show(again));
        });
    });
}
