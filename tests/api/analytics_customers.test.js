// Orders and customer analytics over HTTP: CSV import (all or nothing, re-import skips), RFM
// segments with their contact-list drilldown, cohorts, the CLV refit on a CDNOW slice, a
// contact's analytics, field errors, and who may see what (anonymous, company B, a `user`).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, test, before} from 'node:test';

import {assertProblem, clients, fixture, show, uniq} from './lib/api.js';

const here = dirname(fileURLToPath(import.meta.url));
const sharedData = process.env.VORONKA_SHARED_DATA ?? join(here, '..', '..', '..', 'shared', 'data');

const csvHeaders = {'content-type': 'text/csv'};

for (const backend of fixture.backends) {
    describe(`analytics customers [${backend.backend}]`, () => {
        const {admin, anon, adminB, user, adminRo} = clients(backend);
        const tag = uniq('ac');
        /** name -> contact id; the history is in 1999, a year no other suite writes orders in. */
        const contacts = {};

        const importCsv = (api, csv) => api.request('POST', '/api/v1/orders/import', {rawBody: csv, headers: csvHeaders});

        before(async () => {
            for (const name of ['c1', 'c2', 'c3']) {
                const res = await admin.post('/api/v1/contacts', {first_name: name, last_name: tag, email: `${name}.${tag}@shop.example`});
                assert.equal(res.status, 201, show(res));
                contacts[name] = res.json.id;
            }
        });

        test('import writes every row or none, and a re-import skips what is stored', async () => {
            const good = [
                'external_id,contact_email,ordered_at,amount,currency,channel,product_sku,quantity,price',
                `${tag}-1,c1.${tag}@shop.example,1999-01-10,100.00,RUB,web,${tag}-A,1,100.00`,
                `${tag}-2,c1.${tag}@shop.example,1999-02-11,50.00,RUB,web,${tag}-B,2,25.00`,
                `${tag}-3,c2.${tag}@shop.example,1999-01-20,30.00,RUB,store,${tag}-A,1,30.00`,
                `${tag}-4,c3.${tag}@shop.example,1999-02-14,500.00,RUB,web,,,`,
            ].join('\n');
            const bad = `${good}\n${tag}-5,c3.${tag}@shop.example,1999-03-01,10.00,RUB,web,${tag}-A,2,4.00\n${tag}-6,nobody.${tag}@shop.example,1999-03-02,1.00,RUB,web,,,\n`;
            const refused = await importCsv(admin, bad);
            assertProblem(refused, 400, 'rows[6].amount');
            assertProblem(refused, 400, 'rows[7].contact_email');
            const none = await admin.getOk(`/api/v1/orders?filter[contact_id]=${contacts.c1}`);
            assert.deepEqual(none.data, [], 'the good rows of a refused file are not written');

            const done = await importCsv(admin, good);
            assert.equal(done.status, 200, show(done));
            assert.deepEqual(done.json, {imported: 4, skipped_existing: 0});
            const again = await importCsv(admin, good);
            assert.deepEqual(again.json, {imported: 0, skipped_existing: 4});
            const orders = await admin.getOk(`/api/v1/orders?filter[contact_id]=${contacts.c1}&sort=ordered_at`);
            assert.deepEqual(orders.data.map((o) => o.amount), ['100.00', '50.00']);
            assert.equal(orders.data[1].lines[0].amount, '50.00');

            assertProblem(await admin.post('/api/v1/orders/import', {}), 400, 'Content-Type');
            assertProblem(await importCsv(admin, 'who,when\n1,2\n'), 400, 'columns');
            assertProblem(await adminRo.request('POST', '/api/v1/orders/import', {rawBody: good, headers: csvHeaders}), 403);
        });

        test('order totals are exact; mismatches name the field', async () => {
            const created = await admin.post('/api/v1/orders', {
                contact_id: contacts.c3, ordered_at: '1999-04-01T10:00:00Z',
                lines: [{name: 'Tea', quantity: 3, price: '0.35'}, {name: 'Cup', quantity: 0.5, price: '10.01', adjustment: '-1.00'}],
            });
            assert.equal(created.status, 201, show(created));
            assert.equal(created.json.amount, '5.06');
            assertProblem(await admin.post('/api/v1/orders', {contact_id: contacts.c3, ordered_at: '1999-04-01T10:00:00Z', amount: '9.00', lines: [{name: 'Tea', quantity: 2, price: '1.00'}]}), 400, 'amount');
            assertProblem(await admin.post('/api/v1/orders', {contact_id: contacts.c3, ordered_at: '1999-04-01T10:00:00Z', lines: [{name: 'Tea', quantity: 2, price: '1.00', amount: '2.01'}]}), 400, 'lines[0].amount');
            assertProblem(await admin.post('/api/v1/orders', {contact_id: contacts.c3, ordered_at: '1999-04-02T10:00:00Z', amount: '1.00', external_id: `${tag}-1`}), 409, 'external_id');
            assert.equal((await admin.delete(`/api/v1/orders/${created.json.id}`)).status, 204);
        });

        test('RFM segments, drilldown and a contact’s analytics', async () => {
            const rebuilt = await admin.post('/api/v1/analytics/rfm/recompute');
            assert.equal(rebuilt.status, 200, show(rebuilt));
            const rfm = await admin.getOk('/api/v1/analytics/rfm');
            assert.equal(rfm.segments.length, 11);
            const c1 = await admin.getOk(`/api/v1/contacts/${contacts.c1}/analytics`);
            assert.equal(c1.rfm.orders, 2);
            assert.deepEqual(c1.rfm.revenue, {RUB: '150.00'});
            assert.equal(c1.regular_customer, false, 'orders of 1999 are not in the last 12 months');
            const segment = rfm.segments.find((s) => s.segment === c1.rfm.segment);
            assert.ok(segment.customers >= 1);
            const listed = await admin.listAll(segment.drilldown);
            assert.ok(listed.some((c) => c.id === contacts.c1), 'the drilldown lists the contact');
            assert.ok(listed.every((c) => c.rfm_segment === c1.rfm.segment));
            // c2 bought A only; A and B were bought together by c1.
            const c2 = await admin.getOk(`/api/v1/contacts/${contacts.c2}/analytics`);
            assert.deepEqual(c2.next_best_offer.map((o) => o.sku), [`${tag}-B`]);
            assert.ok(Math.abs(c2.next_best_offer[0].score - 1 / Math.sqrt(2)) < 1e-12);
            assertProblem(await user.post('/api/v1/analytics/rfm/recompute'), 403);
        });

        test('cohorts by first-order month', async () => {
            const res = await admin.getOk('/api/v1/analytics/cohorts?from=1999-01&to=1999-02');
            const jan = res.cohorts.find((c) => c.cohort === '1999-01');
            assert.ok(jan, JSON.stringify(res));
            assert.equal(jan.customers, 2);
            assert.deepEqual(jan.retention.slice(0, 2), [1, 0.5], JSON.stringify(jan));
            const feb = res.cohorts.find((c) => c.cohort === '1999-02');
            assert.equal(feb.customers, 1);
            assertProblem(await admin.get('/api/v1/analytics/cohorts?from=1999-13'), 400, 'from');
            assertProblem(await admin.get('/api/v1/analytics/cohorts?from=1999-05&to=1999-01'), 400, 'to');
        });

        test('CLV refit on a CDNOW slice, then totals, top customers and a contact’s CLV', async () => {
            const lines = readFileSync(join(sharedData, 'cdnow', 'cdnowElog.csv'), 'utf8').trim().split('\n').slice(1);
            const ids = new Map();
            const rows = ['external_id,contact_id,ordered_at,amount'];
            for (const [i, line] of lines.entries()) {
                const [, sample, date, , sales] = line.split(',');
                if (Number(sample) > 60) {
                    continue;
                }
                if (!ids.has(sample)) {
                    const c = await admin.post('/api/v1/contacts', {first_name: `cdnow${sample}`, last_name: tag});
                    assert.equal(c.status, 201, show(c));
                    ids.set(sample, c.json.id);
                }
                rows.push(`${tag}-cd${i},${ids.get(sample)},${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)},${sales}`);
            }
            const imported = await importCsv(admin, rows.join('\n'));
            assert.equal(imported.status, 200, show(imported));
            assert.equal(imported.json.imported, rows.length - 1);

            assertProblem(await admin.post('/api/v1/analytics/clv/refit', {model: 'x', annual_discount_rate: 5, horizon_months: 0}), 400, 'model');
            assertProblem(await user.post('/api/v1/analytics/clv/refit', {}), 403);
            const fit = await admin.post('/api/v1/analytics/clv/refit', {model: 'bgnbd', annual_discount_rate: 0.1, horizon_months: 12});
            assert.equal(fit.status, 200, show(fit));
            for (const k of ['r', 'alpha', 'a', 'b']) {
                assert.ok(Number.isFinite(fit.json.params[k]) && fit.json.params[k] > 0, `${k}: ${JSON.stringify(fit.json.params)}`);
            }
            assert.ok(fit.json.gamma_gamma.q > 1);
            const stored = await admin.getOk('/api/v1/analytics/clv?limit=5');
            assert.equal(stored.fitted_at, fit.json.fitted_at);
            assert.ok(stored.top.length > 0 && stored.top.length <= 5);
            assert.match(stored.totals.clv, /^\d+\.\d{2}$/);
            const best = await admin.getOk(stored.top[0].drilldown);
            assert.equal(best.clv.clv, stored.top[0].clv);
            // A `user` sees none of the admin's customers in the totals.
            const mine = await user.getOk('/api/v1/analytics/clv');
            assert.ok(mine.top.every((t) => !ids.has(t.contact_id) && !Object.values(contacts).includes(t.contact_id)));
        });

        test('anonymous callers get 401; company B and a `user` see nothing of these customers', async () => {
            for (const [method, path] of [
                ['GET', '/api/v1/analytics/rfm'], ['GET', '/api/v1/analytics/cohorts'], ['GET', '/api/v1/analytics/clv'],
                ['POST', '/api/v1/analytics/clv/refit'], ['POST', '/api/v1/analytics/rfm/recompute'], ['POST', '/api/v1/orders/import'],
                ['GET', `/api/v1/contacts/${contacts.c1}/analytics`],
            ]) {
                assertProblem(await anon.request(method, path), 401);
            }
            assertProblem(await adminB.get(`/api/v1/contacts/${contacts.c1}/analytics`), 404);
            assertProblem(await user.get(`/api/v1/contacts/${contacts.c1}/analytics`), 404);
            const cohortsB = await adminB.getOk('/api/v1/analytics/cohorts?from=1999-01&to=1999-12');
            assert.deepEqual(cohortsB.cohorts, []);
            const cohortsUser = await user.getOk('/api/v1/analytics/cohorts?from=1999-01&to=1999-12');
            assert.deepEqual(cohortsUser.cohorts, []);
            const refused = await importCsv(adminB, `contact_id,ordered_at,amount\n${contacts.c1},1999-01-01,1.00\n`);
            assertProblem(refused, 400, 'rows[2].contact_id');
        });
    });
}
