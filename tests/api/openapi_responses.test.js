// Responses that routes describe in /api/v1/openapi.json (analytics, roles, ...) match their
// schema: the web app's generated types are only as true as these descriptions.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import {clients, fixture, show} from './lib/api.js';
import {createRecord} from './lib/records.js';

/** Query parameters a described route needs to answer 200. */
const QUERY = {
    '/api/v1/analytics/plan-fact': '?period=2026-01',
    '/api/v1/analytics/report': '?entity=deals&group_by=owner_id&aggregate=count',
};

for (const backend of fixture.backends) {
    describe(`described responses [${backend.backend}]`, () => {
        const {admin} = clients(backend);

        test('every response a route describes by name matches that schema', async () => {
            const doc = await admin.getOk('/api/v1/openapi.json');
            const ajv = new Ajv2020({strict: false, allErrors: true});
            addFormats(ajv);
            ajv.addSchema({$id: 'voronka', components: doc.components});
            const entitySchemas = new Set(
                (await admin.getOk('/api/v1/meta')).data.map((e) => Object.keys(doc.components.schemas).find((n) => n.toLowerCase() === e.name.replace(/[_-]/g, ''))),
            );
            const pipeline = await createRecord(admin, 'pipelines');
            const contact = await createRecord(admin, 'contacts', {first_name: 'Described'});
            const checked = [];
            for (const [path, ops] of Object.entries(doc.paths)) {
                const ref = ops.get?.responses?.['200']?.content?.['application/json']?.schema?.$ref;
                const name = ref?.split('/').pop();
                if (!name || entitySchemas.has(name) || path.includes('{entity}')) {
                    continue;
                }
                if (/^\/api\/v1\/(contacts|deals|leads|companies|activities|products|list_views)\/\{id\}$/.test(path)) {
                    continue;
                }
                let url = path.replace('{id}', path.startsWith('/api/v1/roles') ? 'manager' : contact.id) + (QUERY[path] ?? '');
                if (/analytics\/(funnel|velocity)$/.test(path)) {
                    url += `?pipeline_id=${pipeline.id}`;
                }
                const res = await admin.get(url);
                assert.equal(res.status, 200, show(res));
                const validate = ajv.compile({$ref: `voronka#/components/schemas/${name}`});
                assert.ok(validate(res.json), `${url} does not match ${name}: ${ajv.errorsText(validate.errors)}\n${res.text.slice(0, 800)}`);
                checked.push(name);
            }
            for (const name of ['AnalyticsFunnel', 'AnalyticsVelocity', 'AnalyticsWinLoss', 'AnalyticsForecast', 'AnalyticsPlanFact', 'AnalyticsSources', 'AnalyticsReport', 'AnalyticsRfm', 'AnalyticsCohorts', 'AnalyticsClv', 'ContactAnalytics', 'RoleList', 'Role']) {
                assert.ok(checked.includes(name), `${name} is described and was checked`);
            }
        });
    });
}
