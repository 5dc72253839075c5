// Helpers for the browser scenarios: Chromium from Debian via playwright-core, a small API client,
// screenshots, and the first-screen bundle size from the Vite manifest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const BASE = process.env.VORONKA_URL ?? 'http://127.0.0.1:8080';

export async function launch() {
  // Playwright starts Chromium with a fresh temporary --user-data-dir of its own for every launch
  // (it refuses one in args), so no profile state carries over between runs.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** A signed-in API session (cookie + CSRF), for set-up and for checking what the UI wrote. */
export async function apiSession(email, password) {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const { csrf_token: csrf } = await res.json();
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const call = async (method, path, body) => {
    const r = await fetch(`${BASE}/api/v1${path}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    const data = text ? JSON.parse(text) : null;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return data;
  };
  /** A request with a raw body (e.g. a CSV import); answers the parsed JSON. */
  const raw = async (method, path, body, contentType) => {
    const r = await fetch(`${BASE}/api/v1${path}`, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': contentType }, body });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    raw,
    get: (p) => call('GET', p),
    post: (p, b = {}) => call('POST', p, b),
    patch: (p, b) => call('PATCH', p, b),
    del: (p) => call('DELETE', p),
  };
}

export async function screenshot(page, name) {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) return;
  // Transitions finished and transient toasts hidden, so the pictures show the screen itself.
  // (The server's CSP refuses injected <style>, so toasts are hidden through the CSSOM.)
  const toggle = (hide) =>
    page.evaluate((h) => document.querySelector('.toasts')?.style.setProperty('visibility', h ? 'hidden' : 'visible'), hide);
  await toggle(true);
  await page.screenshot({ path: join(dir, `${name}.png`), animations: 'disabled' });
  await toggle(false);
}

/** Gzipped bytes of one code-split page chunk (and the CSS it brings), e.g. "pages/AnalyticsPage.tsx". */
export function chunkSize(distDir, suffix) {
  const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8'));
  const key = Object.keys(manifest).find((k) => k.endsWith(suffix));
  if (!key) return null;
  const buf = readFileSync(join(distDir, manifest[key].file));
  return { file: manifest[key].file, raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
}

/** Gzipped bytes of what the board's first screen loads: HTML, entry JS, its static imports, CSS, and the board chunk. */
export function firstScreenBundle(distDir) {
  const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8'));
  const files = new Set(['index.html']);
  const add = (key) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imp of chunk.imports ?? []) add(imp);
  };
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
  add(entry);
  const board = Object.keys(manifest).find((k) => k.endsWith('pages/BoardPage.tsx'));
  add(board);
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const buf = readFileSync(join(distDir, f));
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  return { files: [...files], raw, gzip: gz };
}
