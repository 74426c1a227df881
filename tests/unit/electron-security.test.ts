// The security policy asserted in code (instead of a scanner like electronegativity): renderer
// settings, CSP, navigation, permissions, and the import boundaries that keep them enforceable.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES } from '../../electron/main/protocol';
import {
  appOrigins,
  contentSecurityPolicy,
  isExternalLink,
  isPermissionAllowed,
  navigationDecision,
  originOf,
  parseCsp,
  secureWebPreferences,
  windowOpenDecision,
} from '../../electron/main/security';

const repo = join(__dirname, '..', '..');

describe('webPreferences', () => {
  const prefs = secureWebPreferences('/app/out/preload/index.cjs');
  it('isolates and sandboxes the renderer', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });
  it('uses the CommonJS preload and enables no extra Blink features', () => {
    expect(prefs.preload).toMatch(/\.cjs$/);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
  });
});

describe('Content-Security-Policy', () => {
  const csp = parseCsp(contentSecurityPolicy());
  it('allows only the app itself, WASM compilation and blob: workers', () => {
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
    expect(csp.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
  });
  it('never allows eval, inline scripts or remote hosts', () => {
    const text = contentSecurityPolicy();
    expect(text).not.toContain("'unsafe-eval'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    expect(text).not.toMatch(/https?:|\*/);
  });
  it('in dev, only adds the dev server websocket to connect-src', () => {
    const dev = parseCsp(contentSecurityPolicy({ devServerOrigin: 'http://localhost:5173' }));
    expect(dev.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    expect(dev.get('script-src')).toEqual(csp.get('script-src'));
  });
});

describe('navigation and windows', () => {
  const origins = appOrigins('http://localhost:5173/');
  it('stays on the app origin', () => {
    expect(origins).toEqual([APP_ORIGIN, 'http://localhost:5173']);
    expect(appOrigins(undefined)).toEqual([APP_ORIGIN]);
    expect(navigationDecision('app://netwright/index.html#x', origins)).toBe('allow');
    expect(navigationDecision('http://localhost:5173/', origins)).toBe('allow');
    expect(navigationDecision('http://localhost:5174/', origins)).toBe('deny');
    expect(navigationDecision('app://other/index.html', origins)).toBe('deny');
    expect(navigationDecision('file:///etc/passwd', origins)).toBe('deny');
    expect(navigationDecision('javascript:alert(1)', origins)).toBe('deny');
    expect(navigationDecision('http://example.com/', origins)).toBe('deny');
    expect(navigationDecision('https://example.com/docs', origins)).toBe('external');
  });
  it('opens no Electron windows; only https links go to the browser', () => {
    expect(windowOpenDecision('https://github.com/')).toBe('external');
    expect(windowOpenDecision('app://netwright/index.html')).toBe('deny');
    expect(windowOpenDecision('http://example.com/')).toBe('deny');
    expect(windowOpenDecision('smb://host/share')).toBe('deny');
    expect(isExternalLink('https://user:pw@example.com/')).toBe(false);
    expect(isExternalLink('ms-settings:')).toBe(false);
  });
  it('computes origins of custom schemes by hand', () => {
    expect(new URL('app://netwright/x').origin).toBe('null'); // why originOf exists
    expect(originOf('app://netwright/x')).toBe(APP_ORIGIN);
    expect(originOf('about:blank')).toBeNull();
    expect(originOf('garbage')).toBeNull();
  });
  it('registers app:// as a secure standard scheme that cannot bypass CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true, supportFetchAPI: true, bypassCSP: false });
  });
});

describe('permissions', () => {
  it('denies everything', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen']) {
      expect(isPermissionAllowed(p, APP_ORIGIN)).toBe(false);
    }
  });
});

function filesUnder(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

/** Import specifiers that survive compilation (type-only imports are erased). */
function runtimeImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/gms)) {
    if (!m[2]) out.push(m[3]);
  }
  for (const m of source.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

describe('import boundaries', () => {
  it('keeps electron out of the main-process logic modules (they are unit-tested in Node)', () => {
    for (const name of ['security.ts', 'protocol.ts', 'validate.ts', 'files.ts']) {
      const imports = runtimeImports(readFileSync(join(repo, 'electron', 'main', name), 'utf8'));
      expect(imports.filter((s) => s === 'electron' || s.startsWith('electron/')), name).toEqual([]);
    }
  });

  it('keeps the preload dependency-free: electron and local files only', () => {
    for (const file of filesUnder(join(repo, 'electron', 'preload'), /\.ts$/)) {
      const source = readFileSync(file, 'utf8');
      for (const spec of runtimeImports(source)) {
        expect(spec === 'electron' || spec.startsWith('.'), `${relative(repo, file)} imports ${spec}`).toBe(true);
      }
      expect(source, 'ipcRenderer itself must not be exposed').not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
    }
  });

  it('never imports electron from the renderer', () => {
    const files = filesUnder(join(repo, 'renderer', 'src'), /\.(ts|vue)$/);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const imports = runtimeImports(readFileSync(file, 'utf8'));
      expect(imports.filter((s) => s === 'electron' || s.startsWith('electron/')), relative(repo, file)).toEqual([]);
    }
  });

  it('builds the preload as one CommonJS file (when built)', () => {
    const built = join(repo, 'out', 'preload', 'index.cjs');
    if (!existsSync(built)) return; // `electron-vite build` has not run
    const code = readFileSync(built, 'utf8');
    expect(code).not.toMatch(/^\s*import\s/m);
    expect([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
  });
});
