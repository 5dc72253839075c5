// Runs last (files run one at a time, in name order): stops each server with SIGTERM, as a
// service manager would, and reads its log for sanitizer reports and 5xx answers logged during
// the whole run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {describe, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';

import {fixture} from './lib/api.js';

/** True once the process has exited (gone, or a zombie waiting for run.sh to reap it). */
function hasExited(pid) {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    } catch {
        return true;
    }
}

for (const backend of fixture.backends) {
    describe(`shutdown [${backend.backend}]`, () => {
        test('SIGTERM stops the server within 15 s', async () => {
            const health = await fetch(`${backend.base_url}/healthz`);
            assert.equal(health.status, 200, 'the server is still up at the end of the run');
            process.kill(backend.pid, 'SIGTERM');
            const deadline = Date.now() + 15000;
            while (!hasExited(backend.pid) && Date.now() < deadline) {
                await sleep(100);
            }
            assert.ok(hasExited(backend.pid), 'the server exited after SIGTERM');
        });

        test('the server log has no sanitizer report and no 5xx', () => {
            const log = fs.readFileSync(backend.log, 'utf8');
            const sanitizer = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|terminate called/.exec(log);
            assert.equal(sanitizer, null, `sanitizer report in ${backend.log}:\n${sanitizer ? log.slice(sanitizer.index, sanitizer.index + 3000) : ''}`);
            const errors = log.split('\n').filter((line) => /\[error\] 5\d\d /.test(line));
            assert.deepEqual(errors, [], 'requests answered with a 5xx during the run');
        });
    });
}
