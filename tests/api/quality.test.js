// Data quality over HTTP: duplicates found before saving (nothing written), the duplicates block
// of a create, leads linked to the contact they are, merge with undo, the quality report — and
// another company or an anonymous caller learns nothing.
import assert from 'node:assert/strict';
import {describe, test, before} from 'node:test';

import {assertProblem, clients, fixture, show, uniq} from './lib/api.js';

/** A Russian mobile number no other test uses: +7 915 NNN-NN-NN. */
function uniquePhone() {
    const n = String(Math.floor(Math.random() * 1e7)).padStart(7, '0');
    return {typed: `+7 (915) ${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5)}`, trunk: `8915${n}`, e164: `+7915${n}`};
}

for (const backend of fixture.backends) {
    describe(`quality [${backend.backend}]`, () => {
        const {admin, anon, adminB, adminRo} = clients(backend);
        const surname = uniq('Петров');
        const latin = surname.replace('Петров', 'Petrov');
        const phone = uniquePhone();
        let ivan;

        const countByLastName = async (name) =>
            (await admin.getOk(`/api/v1/contacts?filter[last_name]=${encodeURIComponent(name)}&limit=100`)).data.length;

        before(async () => {
            const res = await admin.post('/api/v1/contacts', {
                first_name: 'Иван', last_name: surname, phone: phone.typed, email: ` ${surname}@Mail.ru `,
            });
            assert.equal(res.status, 201, show(res));
            ivan = res.json;
        });

        test('a draft is checked for duplicates before saving and nothing is written', async () => {
            const before = await countByLastName(latin);
            const res = await admin.post('/api/v1/contacts/duplicates/check', {first_name: 'Ivan', last_name: latin, phone: phone.trunk});
            assert.equal(res.status, 200, show(res));
            const hit = res.json.data.find((d) => d.id === ivan.id);
            assert.ok(hit, show(res));
            assert.equal(hit.entity, 'contacts');
            assert.ok(hit.score >= 0.5 && hit.score <= 1, show(res));
            assert.ok(hit.reasons.some((r) => /phone/.test(r)), show(res));
            assert.equal(await countByLastName(latin), before, 'the check created nothing');

            const unrelated = await admin.post('/api/v1/contacts/duplicates/check', {first_name: uniq('Zed'), last_name: uniq('Nobody')});
            assert.equal(unrelated.status, 200, show(unrelated));
            assert.equal(unrelated.json.data.some((d) => d.id === ivan.id), false);
        });

        test('a bad draft gets field errors; strangers and read-only tokens get nothing', async () => {
            assertProblem(await admin.post('/api/v1/contacts/duplicates/check', {first_name: 42}), 400, 'first_name');
            assertProblem(await admin.post('/api/v1/contacts/duplicates/check', {no_such_field: 'x'}), 400, 'no_such_field');
            assertProblem(await admin.post('/api/v1/contacts/duplicates/check?limit=0', {}), 400, 'limit');
            assertProblem(await anon.post('/api/v1/contacts/duplicates/check', {phone: phone.trunk}), 401);
            assertProblem(await adminRo.post('/api/v1/contacts/duplicates/check', {phone: phone.trunk}), 403);
            const other = await adminB.post('/api/v1/contacts/duplicates/check', {first_name: 'Иван', last_name: surname, phone: phone.trunk});
            assert.equal(other.status, 200, show(other));
            assert.deepEqual(other.json.data, [], 'another company sees none of ours');
        });

        test('a create answers with its likely duplicates and a lead is linked to the contact it is', async () => {
            const twin = await admin.post('/api/v1/contacts', {first_name: 'Ivan', last_name: latin, phone: phone.trunk});
            assert.equal(twin.status, 201, show(twin));
            assert.ok(twin.json.duplicates.some((d) => d.id === ivan.id), show(twin));
            assert.equal(twin.json.phone, phone.trunk, 'the number is kept as typed');
            assert.equal(twin.json.phone_e164, phone.e164);

            const lead = await admin.post('/api/v1/leads', {first_name: 'Ivan', last_name: latin, email: `${surname}@mail.ru`.toUpperCase(), source: 'web_form'});
            assert.equal(lead.status, 201, show(lead));
            assert.ok([ivan.id, twin.json.id].includes(lead.json.duplicate_of_contact_id), show(lead));
            assert.equal((await admin.delete(`/api/v1/contacts/${twin.json.id}`)).status, 204);
        });

        test('merge moves references to the survivor, and undo puts everything back', async () => {
            const other = await admin.post('/api/v1/contacts', {first_name: 'Ivan', last_name: latin, email: `other.${surname}@example.com`});
            assert.equal(other.status, 201, show(other));
            const note = await admin.post('/api/v1/activities', {type: 'note', subject: uniq('Met the twin '), related_entity: 'contacts', related_id: other.json.id});
            assert.equal(note.status, 201, show(note));

            assertProblem(await adminB.post('/api/v1/contacts/merge', {survivor_id: ivan.id, other_id: other.json.id}), 404);
            assertProblem(await anon.post('/api/v1/contacts/merge', {survivor_id: ivan.id, other_id: other.json.id}), 401);
            assertProblem(await admin.post('/api/v1/contacts/merge', {survivor_id: ivan.id, other_id: ivan.id}), 400);

            const merged = await admin.post('/api/v1/contacts/merge', {survivor_id: ivan.id, other_id: other.json.id, fields: {email: 'other'}});
            assert.equal(merged.status, 200, show(merged));
            assert.equal(merged.json.survivor.email, `other.${surname}@example.com`);
            assertProblem(await admin.get(`/api/v1/contacts/${other.json.id}`), 404);
            assert.equal((await admin.getOk(`/api/v1/activities/${note.json.id}`)).related_id, ivan.id);
            assertProblem(await adminB.get(`/api/v1/merges/${merged.json.id}`), 404);
            assertProblem(await adminB.post(`/api/v1/merges/${merged.json.id}/undo`, {}), 404);

            const undone = await admin.post(`/api/v1/merges/${merged.json.id}/undo`, {});
            assert.equal(undone.status, 200, show(undone));
            assert.equal((await admin.getOk(`/api/v1/contacts/${other.json.id}`)).id, other.json.id);
            assert.equal((await admin.getOk(`/api/v1/contacts/${ivan.id}`)).email, ivan.email);
            assert.equal((await admin.getOk(`/api/v1/activities/${note.json.id}`)).related_id, other.json.id);
            assertProblem(await admin.post(`/api/v1/merges/${merged.json.id}/undo`, {}), 409);

            // A record in the recycle bin is not merged.
            const gone = await admin.post('/api/v1/contacts', {first_name: 'Gone', last_name: latin});
            assert.equal((await admin.delete(`/api/v1/contacts/${gone.json.id}`)).status, 204);
            assertProblem(await admin.post('/api/v1/contacts/merge', {survivor_id: ivan.id, other_id: gone.json.id}), 409);
        });

        test('bad phones and emails are stored as typed, flagged and counted in the report', async () => {
            const before = (await admin.getOk('/api/v1/quality/report')).entities.contacts;
            const bad = await admin.post('/api/v1/contacts', {first_name: 'Broken', last_name: latin, phone: 'call me maybe', email: 'not-an-email'});
            assert.equal(bad.status, 201, show(bad));
            assert.equal(bad.json.phone, 'call me maybe');
            assert.equal(bad.json.email, 'not-an-email');
            assert.deepEqual([...bad.json.quality_flags].sort(), ['invalid_email', 'invalid_phone']);
            const after = (await admin.getOk('/api/v1/quality/report')).entities.contacts;
            assert.equal(after.invalid_phone, before.invalid_phone + 1);
            assert.equal(after.invalid_email, before.invalid_email + 1);
            assert.equal(after.records, before.records + 1);
            const theirs = (await adminB.getOk('/api/v1/quality/report')).entities.contacts;
            assert.ok(theirs.records < after.records || theirs.invalid_phone !== after.invalid_phone, 'another company has its own counts');
            assertProblem(await anon.get('/api/v1/quality/report'), 401);
        });
    });
}
