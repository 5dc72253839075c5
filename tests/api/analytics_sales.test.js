// Sales analytics over HTTP: funnel, velocity, win/loss, forecast, plan vs fact, sources, the
// report builder (ad hoc and saved), CSV/XLSX exports with their audit entries, scope, another
// company, anonymous callers and bad input.
import assert from 'node:assert/strict';
import {describe, test, before} from 'node:test';

import {assertProblem, clients, fixture, show, uniq} from './lib/api.js';

const ENDPOINTS = ['funnel', 'velocity', 'win-loss', 'forecast', 'plan-fact', 'sources', 'report'];

/** Raw bytes of a GET, for the XLSX signature. */
async function bytes(base, token, path) {
    const res = await fetch(base + path, {headers: {authorization: `Bearer ${token}`}});
    return {status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer())};
}

for (const backend of fixture.backends) {
    describe(`sales analytics [${backend.backend}]`, () => {
        const {admin, anon, adminB, user, manager} = clients(backend);
        const userId = backend.a.user.id;
        let adminId;
        let pipeline;
        let stage;
        const deals = {};

        before(async () => {
            adminId = (await admin.getOk('/api/v1/me')).id;
            const created = await admin.post('/api/v1/pipelines', {
                name: uniq('Analytics '),
                stages: [{name: 'New', probability: 10}, {name: 'Offer', probability: 50}, {name: 'Won', kind: 'won'}, {name: 'Lost', kind: 'lost'}],
            });
            assert.equal(created.status, 201, show(created));
            pipeline = created.json.id;
            stage = created.json.stages.map((s) => s.id);
            const deal = async (name, body) => {
                const res = await admin.post('/api/v1/deals', {title: name, pipeline_id: pipeline, stage_id: stage[0], currency: 'RUB', ...body});
                assert.equal(res.status, 201, show(res));
                deals[name] = res.json.id;
            };
            await deal('a1', {amount: '100.00', source: 'web_form'});
            await deal('a2', {amount: '250.50', source: 'web_form'});
            await deal('u1', {amount: '50.00', source: 'call', owner_id: userId});
            for (const [name, body] of [['a1', {stage_id: stage[1]}], ['a1', {stage_id: stage[2]}], ['u1', {stage_id: stage[3], loss_reason: 'price'}]]) {
                const moved = await admin.patch(`/api/v1/deals/${deals[name]}`, body);
                assert.equal(moved.status, 200, show(moved));
            }
        });

        test('anonymous callers get 401 on every analytics endpoint', async () => {
            for (const name of ENDPOINTS) {
                assertProblem(await anon.get(`/api/v1/analytics/${name}`), 401);
            }
        });

        test('funnel counts deals that reached each stage, within the caller scope', async () => {
            const f = await admin.getOk(`/api/v1/analytics/funnel?pipeline_id=${pipeline}`);
            assert.deepEqual(f.stages.map((s) => [s.reached, s.current]), [[3, 1], [1, 0], [1, 1], [1, 1]]);
            assert.equal(f.stages[0].conversion_to_next, '0.3333');
            assert.equal(f.stages[0].drop_off, 2);
            assert.equal(f.won, 1);
            assert.equal(f.lost, 1);
            assert.equal(f.win_rate, '0.5000');
            // Each figure drills down to the list that shows its records.
            const listed = await admin.getOk(f.stages[0].drilldown);
            assert.deepEqual(listed.data.map((d) => d.id), [deals.a2]);

            const mine = await user.getOk(`/api/v1/analytics/funnel?pipeline_id=${pipeline}`);
            assert.deepEqual(mine.stages.map((s) => s.reached), [1, 0, 0, 1]);
            assert.equal(mine.won, 0);
            assert.equal(mine.lost, 1);
            assertProblem(await adminB.get(`/api/v1/analytics/funnel?pipeline_id=${pipeline}`), 400, 'pipeline_id');
        });

        test('velocity, win-loss and forecast answer with their shapes', async () => {
            const v = await admin.getOk(`/api/v1/analytics/velocity?pipeline_id=${pipeline}`);
            assert.equal(v.stages.length, 4);
            assert.equal(v.stages[0].deals, 3);
            assert.equal(typeof v.stages[0].avg_days, 'number');
            const w = await admin.getOk(`/api/v1/analytics/win-loss?pipeline_id=${pipeline}`);
            assert.deepEqual(w.won.sums, {RUB: '100.00'});
            assert.deepEqual(w.lost.sums, {RUB: '50.00'});
            assert.deepEqual(w.reasons.map((r) => [r.reason, r.count]), [['price', 1]]);
            const wB = await adminB.getOk('/api/v1/analytics/win-loss?source=web_form');
            assert.equal(wB.won.count, 0, "company B sees none of A's deals");
            const fc = await admin.getOk('/api/v1/analytics/forecast?period=quarter');
            assert.equal(fc.periods.length, 2);
            assert.match(fc.periods[0].period, /^\d{4}-Q[1-4]$/);
            assert.ok(fc.periods[0].actual.RUB, show({status: 200, text: JSON.stringify(fc), method: 'GET', path: 'forecast'}));
        });

        test('plans are written by admins and managers and compared with won deals', async () => {
            const month = (await admin.getOk('/api/v1/analytics/forecast')).periods[0].period;
            assertProblem(await user.post('/api/v1/sales_plans', {period: month, amount: '10.00'}), 403);
            const plan = await manager.post('/api/v1/sales_plans', {period: month, owner_id: adminId, amount: '400.00', currency: 'RUB'});
            assert.equal(plan.status, 201, show(plan));
            assertProblem(await admin.post('/api/v1/sales_plans', {period: '2026-13', amount: '1.00'}), 400, 'period');
            const pf = await admin.getOk(`/api/v1/analytics/plan-fact?period=${month}`);
            const row = pf.rows.find((r) => r.plan_id === plan.json.id);
            assert.ok(row, show({status: 200, text: JSON.stringify(pf), method: 'GET', path: 'plan-fact'}));
            assert.deepEqual(row.plan, {RUB: '400.00'});
            assert.ok(Number(row.fact.RUB) >= 100, JSON.stringify(row));
            assert.ok(!(await user.getOk(`/api/v1/analytics/plan-fact?period=${month}`)).rows.some((r) => r.plan_id === plan.json.id), "a user does not see the admin's plan");
            assertProblem(await admin.get('/api/v1/analytics/plan-fact?period=May'), 400, 'period');
        });

        test('sources show leads, revenue, cost and ROI', async () => {
            const month = (await admin.getOk('/api/v1/analytics/forecast')).periods[0].period;
            const cost = await manager.post('/api/v1/campaign_costs', {source: 'web_form', campaign: uniq('c'), period: month, amount: '50.00', currency: 'RUB'});
            assert.equal(cost.status, 201, show(cost));
            assertProblem(await user.post('/api/v1/campaign_costs', {source: 'web_form', period: month, amount: '1.00'}), 403);
            const s = await admin.getOk('/api/v1/analytics/sources?group_by=source');
            const web = s.rows.find((r) => r.source === 'web_form');
            assert.ok(web && web.deals_won >= 1 && web.cost.RUB, JSON.stringify(s));
            assert.equal(typeof web.roi.RUB, 'string');
            const byCampaign = await admin.getOk('/api/v1/analytics/sources?group_by=campaign');
            assert.ok(byCampaign.rows.some((r) => r.campaign === cost.json.campaign));
            assertProblem(await admin.get('/api/v1/analytics/sources?group_by=owner'), 400, 'group_by');
        });

        test('report builder groups, aggregates, respects scope and runs saved reports', async () => {
            const q = `/api/v1/analytics/report?entity=deals&group_by=owner_id&aggregate=count,sum:amount,avg:amount&filter[pipeline_id]=${pipeline}`;
            const r = await admin.getOk(q);
            assert.deepEqual(r.columns, ['owner_id', 'count', 'sum:amount', 'avg:amount']);
            const adminRow = r.rows.find((x) => x.owner_id === adminId);
            assert.equal(adminRow.count, 2);
            assert.deepEqual(adminRow['sum:amount'], {RUB: '350.50'});
            assert.deepEqual(adminRow['avg:amount'], {RUB: '175.25'});
            const listed = await admin.getOk(adminRow.drilldown);
            assert.equal(listed.data.length, 2);
            const mine = await user.getOk(q);
            assert.deepEqual(mine.rows.map((x) => x.owner_id), [userId]);
            assert.deepEqual((await adminB.getOk(q.replace(`&filter[pipeline_id]=${pipeline}`, ''))).rows.filter((x) => x.owner_id === adminId), []);
            assertProblem(await admin.get('/api/v1/analytics/report?entity=nothing'), 400, 'entity');
            assertProblem(await admin.get('/api/v1/analytics/report?entity=deals&aggregate=sum:title'), 400, 'aggregate');
            assertProblem(await admin.get('/api/v1/analytics/report?entity=deals&filter[nope]=1'), 400, 'filter[nope]');

            const saved = await admin.post('/api/v1/reports', {name: uniq('Report '), definition: {entity: 'deals', group_by: ['status'], aggregate: ['count'], filters: [{field: 'pipeline_id', op: 'eq', value: pipeline}]}});
            assert.equal(saved.status, 201, show(saved));
            const run = await admin.getOk(`/api/v1/analytics/report?report_id=${saved.json.id}`);
            assert.deepEqual(run.rows.map((x) => [x.status, x.count]).sort(), [['lost', 1], ['open', 1], ['won', 1]]);
            assertProblem(await adminB.get(`/api/v1/analytics/report?report_id=${saved.json.id}`), 404);
            assertProblem(await admin.post('/api/v1/reports', {name: 'Bad', definition: {entity: 'deals', aggregate: ['drop']}}), 400, 'definition');
        });

        test('CSV and XLSX exports are attachments and are audited', async () => {
            const csv = await admin.get(`/api/v1/analytics/win-loss?pipeline_id=${pipeline}&format=csv`);
            assert.equal(csv.status, 200, show(csv));
            assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
            assert.equal(csv.headers.get('content-disposition'), 'attachment; filename="voronka-win-loss.csv"');
            const lines = csv.text.split('\r\n');
            assert.ok(lines[0].startsWith('outcome,reason,count,sums.RUB,drilldown'), lines[0]);
            assert.ok(lines.some((l) => l.startsWith('lost,price,1,50.00,')), csv.text);

            for (const name of ENDPOINTS) {
                const query = {funnel: `pipeline_id=${pipeline}&`, velocity: `pipeline_id=${pipeline}&`, report: 'entity=deals&group_by=status&'}[name] ?? '';
                const xlsx = await bytes(backend.base_url, backend.a.admin.token, `/api/v1/analytics/${name}?${query}format=xlsx`);
                assert.equal(xlsx.status, 200, `${name}: ${xlsx.body.toString().slice(0, 300)}`);
                assert.equal(xlsx.body.subarray(0, 2).toString(), 'PK', `${name} is a ZIP`);
                assert.match(xlsx.headers.get('content-type') ?? '', /spreadsheetml/);
                assert.match(xlsx.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="voronka-${name}\\.xlsx"$`));
            }
            const audit = await admin.getOk('/api/v1/audit');
            const exports = audit.data.filter((e) => e.action === 'export');
            assert.ok(exports.length >= 8, JSON.stringify(exports.slice(0, 3)));
            const detail = typeof exports[0].detail === 'string' ? JSON.parse(exports[0].detail) : exports[0].detail;
            assert.equal(detail.format, 'xlsx');
            assertProblem(await anon.get('/api/v1/analytics/win-loss?format=csv'), 401);
        });

        test('bad input is a 400 naming the parameter and writes nothing', async () => {
            const cases = [
                ['/api/v1/analytics/win-loss?from=2026-02-30', 'from'],
                ['/api/v1/analytics/win-loss?from=2026-03-02&to=2026-03-01', 'to'],
                ['/api/v1/analytics/win-loss?owner_id=nobody', 'owner_id'],
                ['/api/v1/analytics/win-loss?team_id=nobody', 'team_id'],
                ['/api/v1/analytics/win-loss?source=pigeon', 'source'],
                ['/api/v1/analytics/win-loss?format=pdf', 'format'],
                ['/api/v1/analytics/win-loss?bogus=1', 'bogus'],
                ['/api/v1/analytics/funnel', 'pipeline_id'],
                ['/api/v1/analytics/forecast?period=week', 'period'],
                ['/api/v1/analytics/report?entity=deals&group_by=a,b,c', 'group_by'],
                [`/api/v1/analytics/report?entity=deals&filter[amount][gt]=abc`, 'filter[amount]'],
            ];
            const audit = (await admin.getOk('/api/v1/audit')).data.length;
            for (const [path, field] of cases) {
                assertProblem(await admin.get(path), 400, field);
            }
            assert.equal((await admin.getOk('/api/v1/audit')).data.length, audit);
        });
    });
}
