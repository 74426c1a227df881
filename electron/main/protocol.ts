// Serving the built renderer from app://netwright/ instead of file://. A privileged standard scheme
// gives the page a real origin, so fetch() of data files, module workers and response headers
// (CSP, and COOP/COEP for cross-origin isolation, which WASM threads need) all work.
// No electron import: index.ts registers `createAppRequestHandler` with protocol.handle, and the
// unit tests call it directly with web Request objects.
import { createReadStream, promises as fsp } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';

export const APP_SCHEME = 'app';
export const APP_HOST = 'netwright';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Privileges for protocol.registerSchemesAsPrivileged (must run before app 'ready'). */
export const APP_SCHEME_PRIVILEGES = {
  standard: true, // real origin, relative URLs resolve like http
  secure: true, // secure context: WebGPU, crypto.subtle, SharedArrayBuffer (with COOP/COEP)
  supportFetchAPI: true,
  stream: true,
  codeCache: true,
  // Left off on purpose: corsEnabled lets other origins read app:// without any
  // Access-Control-Allow-Origin check. The app's own (same-origin) module scripts need no CORS.
  corsEnabled: false,
  allowServiceWorkers: false,
  bypassCSP: false,
} as const;

/** Headers that make the page cross-origin isolated (SharedArrayBuffer for WASM threads). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export type PathResolution =
  | { ok: true; file: string }
  | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Maps an app:// URL to a file under `root`, or says why not. Pure: it does not touch the disk.
 * Rejects other schemes/hosts, dot segments (also percent-encoded), encoded separators,
 * NUL, drive letters and colons (Windows alternate streams), and anything resolving outside root.
 */
export function resolveAppPath(root: string, requestUrl: string): PathResolution {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, reason: 'malformed URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:`) return { ok: false, status: 400, reason: 'wrong scheme' };
  if (url.host !== APP_HOST) return { ok: false, status: 404, reason: `unknown host ${url.host}` };

  const segments: string[] = [];
  for (const raw of url.pathname.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: 'bad percent-encoding' };
    }
    if (seg === '.' || seg === '..') return { ok: false, status: 403, reason: 'dot segment' };
    // An encoded '/' or '\\' would rebuild the dot segments that URL parsing already removed.
    if (/[/\\\0:]/.test(seg)) return { ok: false, status: 403, reason: 'forbidden character in path' };
    segments.push(seg);
  }
  if (segments.length === 0) segments.push('index.html');

  const base = resolve(root);
  const file = resolve(base, ...segments);
  const rel = relative(base, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || !file.startsWith(base + sep)) {
    return { ok: false, status: 403, reason: 'outside the app root' };
  }
  return { ok: true, file };
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', // required by WebAssembly.instantiateStreaming
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers for every app:// response. CSP goes on scripts too: workers take theirs from it. */
export function appResponseHeaders(file: string, csp: string, size?: number): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': contentTypeFor(file),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    ...ISOLATION_HEADERS,
  };
  // The CSP (security.ts) goes on every app:// response as a header. electronegativity cannot
  // evaluate a policy built at run time (nor see headers sent by a protocol handler); the policy
  // itself is checked by tests/unit/electron-security.test.ts, its presence by electron-protocol.
  headers['Content-Security-Policy'] = csp; // eng-disable CSP_GLOBAL_CHECK
  if (size !== undefined) headers['Content-Length'] = String(size);
  return headers;
}

function errorResponse(status: number, reason: string, csp: string): Response {
  return new Response(`${status} ${reason}\n`, {
    status,
    headers: { ...appResponseHeaders('error.txt', csp) },
  });
}

/** A protocol.handle handler serving files under `root` (the built renderer). */
export function createAppRequestHandler(root: string, csp: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return errorResponse(405, 'method not allowed', csp);
    }
    const target = resolveAppPath(root, request.url);
    if (!target.ok) return errorResponse(target.status, target.reason, csp);
    let size: number;
    try {
      const stat = await fsp.stat(target.file);
      if (!stat.isFile()) return errorResponse(404, 'not found', csp);
      size = stat.size;
    } catch {
      return errorResponse(404, 'not found', csp);
    }
    const headers = appResponseHeaders(target.file, csp, size);
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    // Streamed: the MNIST training images are 47 MB.
    const body = Readable.toWeb(createReadStream(target.file)) as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers });
  };
}

/**
 * Dev server responses (webRequest.onHeadersReceived) get the same CSP and isolation headers as
 * app:// ones: replaces same-named headers whatever their case, keeps the rest.
 */
export function mergeResponseHeaders(
  existing: Record<string, string | string[]> | undefined,
  add: Readonly<Record<string, string>>,
): Record<string, string[]> {
  const replaced = new Set(Object.keys(add).map((k) => k.toLowerCase()));
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(existing ?? {})) {
    if (!replaced.has(key.toLowerCase())) out[key] = Array.isArray(value) ? value : [value];
  }
  for (const [key, value] of Object.entries(add)) out[key] = [value];
  return out;
}
