// The window's size, position and maximized state, remembered in userData/window-state.json.
// Plain Node (no electron): the displays' work areas are passed in, so a window saved on a monitor
// that is gone comes back on one that exists.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './files';

export const WINDOW_STATE_FILE = 'window-state.json';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface WindowState {
  bounds: Rect;
  maximized: boolean;
  fullScreen?: boolean;
}

export const DEFAULT_SIZE = { width: 1440, height: 900 } as const;
export const MIN_SIZE = { width: 960, height: 600 } as const;
const TITLE_BAR = 32;

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && Math.abs(x) < 1e6;
}

/** A stored state, or null when it is missing a field or holds nonsense. */
export function parseWindowState(text: string | null): WindowState | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const b = r.bounds as Record<string, unknown> | undefined;
  if (!b || !isInt(b.x) || !isInt(b.y) || !isInt(b.width) || !isInt(b.height)) return null;
  if (b.width <= 0 || b.height <= 0) return null;
  return {
    bounds: { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) },
    maximized: r.maximized === true,
    fullScreen: r.fullScreen === true,
  };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The bounds to open with: the saved ones when at least 100 px of the window's title bar area is
 * on a display that exists now (shrunk to fit that display), else the default size with no
 * position (Electron centres it). `workAreas`: screen.getAllDisplays()[i].workArea.
 */
export function initialBounds(saved: WindowState | null, workAreas: readonly Rect[]): Partial<Rect> & { width: number; height: number } {
  if (!saved) return { ...DEFAULT_SIZE };
  const { bounds } = saved;
  const titleBar: Rect = { x: bounds.x, y: bounds.y, width: bounds.width, height: TITLE_BAR };
  let best: Rect | null = null;
  for (const area of workAreas) {
    if (overlap(titleBar, area) < 100 * TITLE_BAR) continue;
    if (!best || overlap(bounds, area) > overlap(bounds, best)) best = area;
  }
  if (!best) return { ...DEFAULT_SIZE };
  const width = Math.min(Math.max(bounds.width, MIN_SIZE.width), best.width);
  const height = Math.min(Math.max(bounds.height, MIN_SIZE.height), best.height);
  const x = Math.min(Math.max(bounds.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(bounds.y, best.y), best.y + best.height - height);
  return { x, y, width, height };
}

export async function loadWindowState(dir: string): Promise<WindowState | null> {
  try {
    return parseWindowState(await fsp.readFile(join(dir, WINDOW_STATE_FILE), 'utf8'));
  } catch {
    return null;
  }
}

/** Atomic, so a crash while quitting never leaves half a file (which would just be ignored anyway). */
export async function saveWindowState(dir: string, state: WindowState): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, WINDOW_STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}
