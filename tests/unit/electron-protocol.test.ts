import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  contentTypeFor,
  createAppRequestHandler,
  mergeResponseHeaders,
  resolveAppPath,
} from '../../electron/main/protocol';
import { contentSecurityPolicy } from '../../electron/main/security';

const root = resolve('/srv/app/renderer');

describe('resolveAppPath', () => {
  const ok = (url: string) => {
    const r = resolveAppPath(root, url);
    if (!r.ok) throw new Error(`${url} refused: ${r.reason}`);
    return r.file;
  };
  const refused = (url: string) => {
    const r = resolveAppPath(root, url);
    expect(r.ok, `${url} should be refused`).toBe(false);
    return r.ok ? 0 : r.status;
  };

  it('maps app URLs to files under the root', () => {
    expect(ok(APP_ENTRY_URL)).toBe(join(root, 'index.html'));
    expect(ok(`${APP_ORIGIN}/`)).toBe(join(root, 'index.html'));
    expect(ok(`${APP_ORIGIN}`)).toBe(join(root, 'index.html'));
    expect(ok(`${APP_ORIGIN}/assets/index-abc.js?v=1#x`)).toBe(join(root, 'assets', 'index-abc.js'));
    expect(ok(`${APP_ORIGIN}/data/mnist/train-images-idx3-ubyte`)).toBe(join(root, 'data', 'mnist', 'train-images-idx3-ubyte'));
    expect(ok(`${APP_ORIGIN}/a%20b.txt`)).toBe(join(root, 'a b.txt'));
  });

  it('keeps dot segments that URL parsing folds inside the root', () => {
    // The URL parser itself removes ../ (plain or %2e-encoded) before the path is seen.
    expect(ok(`${APP_ORIGIN}/../../etc/passwd`)).toBe(join(root, 'etc', 'passwd'));
    expect(ok(`${APP_ORIGIN}/%2e%2e/%2e%2e/etc/passwd`)).toBe(join(root, 'etc', 'passwd'));
    expect(ok(`${APP_ORIGIN}/assets/./x.js`)).toBe(join(root, 'assets', 'x.js'));
  });

  it('refuses encoded separators, NUL, drive letters and colons', () => {
    expect(refused(`${APP_ORIGIN}/..%2f..%2fetc%2fpasswd`)).toBe(403);
    expect(refused(`${APP_ORIGIN}/%2e%2e%2f%2e%2e%2fetc/passwd`)).toBe(403);
    expect(refused(`${APP_ORIGIN}/..%5c..%5cwindows%5cwin.ini`)).toBe(403);
    expect(refused(`${APP_ORIGIN}/a\\..\\..\\secret`)).toBe(403);
    expect(refused(`${APP_ORIGIN}/index.html%00.png`)).toBe(403);
    expect(refused(`${APP_ORIGIN}/C:%5cWindows`)).toBe(403);
    expect(refused(`${APP_ORIGIN}/c:/Windows/win.ini`)).toBe(403);
    expect(refused(`${APP_ORIGIN}/file.txt:stream`)).toBe(403);
    expect(refused(`${APP_ORIGIN}/%2fetc%2fpasswd`)).toBe(403);
  });

  it('refuses bad encodings, other schemes and other hosts', () => {
    expect(refused(`${APP_ORIGIN}/%E0%A4%A`)).toBe(400);
    expect(refused('file:///etc/passwd')).toBe(400);
    expect(refused('http://netwright/index.html')).toBe(400);
    expect(refused('app://evil/index.html')).toBe(404);
    expect(refused('app://netwright.evil.com/index.html')).toBe(404);
    expect(refused('not a url')).toBe(400);
  });

  it('never returns a path outside the root (fuzz)', () => {
    const parts = ['..', '.', '%2e', '%2e%2e', '%2f', '%5c', 'a', 'b%00', '', '%252e%252e', '.%2e', 'x:', '~'];
    for (let i = 0; i < 3000; i++) {
      let path = '';
      const n = 1 + (i % 6);
      for (let j = 0; j < n; j++) path += '/' + parts[(i * 7 + j * 13 + ((i >> 3) ^ j)) % parts.length];
      const r = resolveAppPath(root, `${APP_ORIGIN}${path}`);
      if (r.ok) expect(r.file.startsWith(root + sep), path).toBe(true);
    }
  });
});

describe('app:// request handler', () => {
  let dir: string;
  const csp = contentSecurityPolicy();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netwright-protocol-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Netwright</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'renderer', 'assets', 'tfjs.wasm'), Buffer.from([0, 97, 115, 109]));
    writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const handler = () => createAppRequestHandler(join(dir, 'renderer'), csp);

  it('serves index.html with CSP and cross-origin isolation headers', async () => {
    const res = await handler()(new Request(`${APP_ORIGIN}/`));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Netwright</title>');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(csp);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves scripts and wasm with the right types and sizes', async () => {
    const js = await handler()(new Request(`${APP_ORIGIN}/assets/app.js`));
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('content-security-policy')).toBe(csp); // workers take their CSP from here
    const wasm = await handler()(new Request(`${APP_ORIGIN}/assets/tfjs.wasm`));
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(wasm.headers.get('content-length')).toBe('4');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
  });

  it('answers 404 for missing files and directories, 403 for escapes, 405 for POST', async () => {
    expect((await handler()(new Request(`${APP_ORIGIN}/nope.js`))).status).toBe(404);
    expect((await handler()(new Request(`${APP_ORIGIN}/assets`))).status).toBe(404);
    const escape = await handler()(new Request(`${APP_ORIGIN}/..%2fsecret.txt`));
    expect(escape.status).toBe(403);
    expect(await escape.text()).not.toContain('outside the root');
    expect((await handler()(new Request(`${APP_ORIGIN}/index.html`, { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('answers HEAD without a body', async () => {
    const res = await handler()(new Request(`${APP_ORIGIN}/assets/app.js`, { method: 'HEAD' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('14');
    expect(await res.text()).toBe('');
  });
});

describe('content types and header merging', () => {
  it('knows the types the app ships', () => {
    expect(contentTypeFor('a.mjs')).toMatch(/javascript/);
    expect(contentTypeFor('a.CSS')).toMatch(/^text\/css/);
    expect(contentTypeFor('train-images-idx3-ubyte')).toBe('application/octet-stream');
  });

  it('replaces same-named headers whatever their case and keeps the rest', () => {
    const merged = mergeResponseHeaders(
      { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'], 'x-one': 'v' },
      { 'Content-Security-Policy': "default-src 'self'" },
    );
    expect(merged).toEqual({
      'Content-Type': ['text/html'],
      'x-one': ['v'],
      'Content-Security-Policy': ["default-src 'self'"],
    });
  });
});
