// Security policy as data and pure decisions; index.ts applies it to Electron objects.
// No electron import at run time (types only), so unit tests assert the policy directly.
import type { WebPreferences } from 'electron';
import { APP_ORIGIN, APP_SCHEME } from './protocol';

/**
 * Renderer settings. The sandbox stays on because the preload needs no Node (it only bridges
 * IPC). Electron's `remote` module was removed in Electron 14, so there is nothing to disable.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export interface CspOptions {
  /** Origin of the Vite dev server (dev only): its HMR websocket must be reachable. */
  devServerOrigin?: string | null;
}

/** The Content-Security-Policy directives, in order. */
export function cspDirectives(options: CspOptions = {}): [string, string[]][] {
  const connect = ["'self'"];
  if (options.devServerOrigin) {
    const dev = new URL(options.devServerOrigin);
    connect.push(`${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}`);
  }
  return [
    ['default-src', ["'self'"]],
    // 'wasm-unsafe-eval' lets tfjs compile WebAssembly; blob: because the threaded wasm build loads
    // its helper workers' scripts from blob: URLs (without it setBackend('wasm') hangs). No
    // 'unsafe-eval', no inline scripts.
    ['script-src', ["'self'", "'wasm-unsafe-eval'", 'blob:']],
    // tfjs-backend-wasm's threaded build starts its workers from blob: URLs.
    ['worker-src', ["'self'", 'blob:']],
    ['img-src', ["'self'", 'data:', 'blob:']],
    // Vue Flow (and Vue's :style bindings) set inline styles.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', connect],
    ['media-src', ["'none'"]],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  return cspDirectives(options)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** Parses a CSP header back into directive -> values (used by tests and the security check). */
export function parseCsp(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

/**
 * scheme://host[:port] of a URL, or null. Computed by hand because Node's URL reports 'null' as
 * the origin of custom schemes such as app://, which Chromium treats as a real origin.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    if (!u.host) return null;
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/** The origins the app's own pages may come from: app://netwright, plus the dev server in dev. */
export function appOrigins(devServerUrl?: string | null): string[] {
  const dev = devServerUrl ? originOf(devServerUrl) : null;
  return dev ? [APP_ORIGIN, dev] : [APP_ORIGIN];
}

export function isAppUrl(url: string, allowedOrigins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && allowedOrigins.includes(origin);
}

export type NavigationDecision = 'allow' | 'external' | 'deny';

/**
 * For will-navigate / will-redirect / will-frame-navigate: the app may only move within its
 * own origin. A plain https link is handed to the system browser; anything else is dropped.
 */
export function navigationDecision(url: string, allowedOrigins: readonly string[]): NavigationDecision {
  if (isAppUrl(url, allowedOrigins)) return 'allow';
  return isExternalLink(url) ? 'external' : 'deny';
}

/** For setWindowOpenHandler: never a new Electron window; https links open in the browser. */
export function windowOpenDecision(url: string): Exclude<NavigationDecision, 'allow'> {
  return isExternalLink(url) ? 'external' : 'deny';
}

/** Only https URLs without credentials go to shell.openExternal (no file:, smb:, custom apps). */
export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '' && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Permission requests and checks (camera, notifications, clipboard, ...): all denied. */
export function isPermissionAllowed(_permission: string, _requestingUrl?: string): boolean {
  return false;
}

export { APP_ORIGIN, APP_SCHEME };
