// Durability: a dedicated server on a fresh SQLite file takes concurrent creates and batches, is
// killed with SIGKILL while requests are in flight, and restarted on the same file. Every
// acknowledged write must be there, and every batch must be all there or not at all.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';

import {Api, fixture, show, uniq} from './lib/api.js';

/** Starts `voronka serve` on `db` with an ephemeral port; resolves when it listens. */
function startServer(db, logPath) {
    return new Promise((resolve, reject) => {
        const log = fs.openSync(logPath, 'a');
        const child = spawn(fixture.binary, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '8', '--rate-limit', '0'], {
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let seen = '';
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`server did not start within 60 s:\n${seen}`));
        }, 60000);
        const onData = (chunk) => {
            fs.writeSync(log, chunk);
            seen += chunk.toString('utf8');
            const m = /Voronka is listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen);
            if (m) {
                clearTimeout(timer);
                resolve({child, base: m[1], output: () => seen});
            }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`server exited during start-up (${code ?? signal}):\n${seen}`));
        });
    });
}

function exited(child) {
    return child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((resolve) => child.once('exit', () => resolve()));
}

const sqlite = fixture.backends.find((b) => b.backend === 'sqlite');

test('durability [sqlite]: every acknowledged write survives kill -9', {skip: sqlite ? false : 'no SQLite backend'}, async (t) => {
    const dir = fs.mkdtempSync(path.join(fixture.work_dir, 'durability-'));
    const db = path.join(dir, 'durable.db');
    const logPath = path.join(dir, 'serve.log');
    let server = await startServer(db, logPath);
    try {
        const issued = spawnSync(fixture.binary, ['token', 'create', '--db', db, '--email', 'admin@example.com'], {encoding: 'utf8'});
        assert.equal(issued.status, 0, issued.stderr);
        const token = issued.stdout.trim();
        let api = new Api(server.base, {token});
        const marker = uniq('Durable');

        /** @type {Map<string, string>} id -> first_name of every acknowledged create */
        const acked = new Map();
        /** @type {Map<string, string[]>} batch tag -> ids when acknowledged */
        const ackedBatches = new Map();
        const batchTags = [];
        let failures = 0;
        let killed = false;
        const total = 200;
        const inFlight = 32;
        let next = 0;
        let ackCount = 0;

        const one = async (i) => {
            try {
                if (i % 10 === 9) {
                    const tag = `${marker}b${i}`;
                    batchTags.push(tag);
                    const ops = Array.from({length: 5}, (_, k) => ({method: 'POST', path: '/api/v1/contacts', body: {first_name: `${tag}-${k}`, last_name: marker, position: tag}}));
                    const res = await api.post('/api/v1/batch', {operations: ops});
                    assert.equal(res.status, 200, show(res));
                    ackedBatches.set(tag, res.json.results.map((r) => r.body.id));
                } else {
                    const name = `${marker}-${i}`;
                    const res = await api.post('/api/v1/contacts', {first_name: name, last_name: marker});
                    assert.equal(res.status, 201, show(res));
                    acked.set(res.json.id, name);
                }
                ackCount++;
            } catch (e) {
                if (!killed) {
                    throw e;
                }
                failures++;
            }
        };
        const worker = async () => {
            while (next < total) {
                const i = next++;
                await one(i);
                // Kill while the other workers still have requests in flight.
                if (!killed && ackCount >= 120) {
                    killed = true;
                    server.child.kill('SIGKILL');
                }
            }
        };
        await Promise.all(Array.from({length: inFlight}, worker));
        assert.ok(killed, 'the server was killed mid-run');
        await exited(server.child);
        assert.equal(server.child.signalCode, 'SIGKILL');
        assert.ok(acked.size >= 80, `enough acknowledged creates before the kill (${acked.size})`);

        t.diagnostic(`acknowledged before kill -9: ${acked.size} creates and ${ackedBatches.size} batches; ${failures} requests cut off`);
        server = await startServer(db, logPath);
        api = new Api(server.base, {token});
        const missing = [];
        for (const [id, name] of acked) {
            const res = await api.get(`/api/v1/contacts/${id}`);
            if (res.status !== 200 || res.json.first_name !== name) {
                missing.push(`${id} (${name}): ${show(res)}`);
            }
        }
        assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acknowledged creates were lost`);
        const all = await api.listAll(`/api/v1/contacts?filter[last_name]=${marker}`);
        for (const tag of batchTags) {
            const members = all.filter((r) => r.position === tag);
            assert.ok(members.length === 0 || members.length === 5, `batch ${tag} is all or nothing after the crash (${members.length} of 5)`);
            if (ackedBatches.has(tag)) {
                assert.deepEqual(new Set(members.map((r) => r.id)), new Set(ackedBatches.get(tag)), `acknowledged batch ${tag} is complete`);
            }
        }
        const singles = all.filter((r) => r.position === null).length;
        assert.ok(singles >= acked.size, `${singles} single creates on disk, ${acked.size} acknowledged`);
        assert.ok(singles <= total, 'no record was written twice');

        // History and search of the survivors are consistent with the records.
        // The survivor with the highest number: its number token is the longest, so the prefix
        // search for its name matches only it and a few newer ones, well inside one result page.
        const [someId, someName] = [...acked.entries()].reduce((best, e) =>
            Number(e[1].split('-').at(-1)) > Number(best[1].split('-').at(-1)) ? e : best);
        const history = await api.getOk(`/api/v1/contacts/${someId}/history`);
        assert.equal(history.data.length, 1);
        assert.equal(history.data[0].action, 'create');
        const found = await api.getOk(`/api/v1/search?q=${encodeURIComponent(someName)}`);
        assert.ok(found.data.some((x) => x.id === someId), 'the search index survived with the record');
        // The restarted server takes writes again.
        const after = await api.post('/api/v1/contacts', {first_name: 'After restart'});
        assert.equal(after.status, 201, show(after));
    } finally {
        server.child.kill('SIGTERM');
        await exited(server.child);
        const log = fs.readFileSync(logPath, 'utf8');
        assert.doesNotMatch(log, /ERROR: AddressSanitizer|runtime error:|LeakSanitizer/, `sanitizer report in ${logPath}`);
    }
});
