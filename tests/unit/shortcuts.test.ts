import { afterEach, describe, expect, it, vi } from 'vitest';
import { editorShortcutHandler, shortcutHandler, type ShortcutHandlers } from '../../renderer/src/composables/useShortcuts';

afterEach(() => {
  vi.unstubAllGlobals();
});

function handlers(log: string[]): ShortcutHandlers {
  const h = (name: string) => () => void log.push(name);
  return { deleteSelection: h('delete'), undo: h('undo'), redo: h('redo'), save: h('save'), open: h('open'), escape: h('escape') };
}

const key = (k: string, target: unknown, mods: Partial<KeyboardEvent> = {}) =>
  ({ key: k, target, ctrlKey: false, metaKey: false, shiftKey: false, preventDefault: () => {}, ...mods }) as unknown as KeyboardEvent;

describe('shortcuts', () => {
  it('commits the field being typed in (blur) before Save and Open', () => {
    const log: string[] = [];
    const field = { tagName: 'INPUT', blur: () => void log.push('blur') };
    vi.stubGlobal('document', { activeElement: field });
    const onKey = shortcutHandler(handlers(log));
    onKey(key('s', field, { ctrlKey: true }));
    onKey(key('O', field, { metaKey: true }));
    expect(log).toEqual(['blur', 'save', 'blur', 'open']);
  });

  it('leaves Backspace and Undo to the field while typing', () => {
    const log: string[] = [];
    const field = { tagName: 'INPUT', blur: () => void log.push('blur') };
    vi.stubGlobal('document', { activeElement: field });
    const onKey = shortcutHandler(handlers(log));
    onKey(key('Backspace', field));
    onKey(key('z', field, { ctrlKey: true }));
    onKey(key('Delete', { tagName: 'DIV' }));
    expect(log).toEqual(['delete']);
  });
});

describe('editor shortcuts', () => {
  const editorHandlers = (log: string[]) => {
    const h = (name: string) => () => void log.push(name);
    return {
      selectAll: h('all'), copy: h('copy'), cut: h('cut'), paste: h('paste'), duplicate: h('dup'),
      nudge: (dx: number, dy: number) => void log.push(`nudge ${dx},${dy}`), toggleShortcutSheet: h('sheet'), fit: h('fit'), layout: h('layout'),
    };
  };

  it('Ctrl/Cmd+A/C/X/V/D, arrows (×4 with Shift), ? and F act on the canvas and stop the browser default', () => {
    const log: string[] = [];
    let prevented = 0;
    const onKey = editorShortcutHandler(editorHandlers(log));
    const body = { tagName: 'BODY' };
    const press = (k: string, mods: Partial<KeyboardEvent> = {}) => onKey(key(k, body, { ...mods, preventDefault: () => void prevented++ }));
    press('a', { ctrlKey: true });
    press('c', { metaKey: true });
    press('x', { ctrlKey: true });
    press('v', { ctrlKey: true });
    press('d', { ctrlKey: true });
    press('ArrowRight');
    press('ArrowUp', { shiftKey: true });
    press('?', { shiftKey: true });
    press('f');
    press('L', { shiftKey: true });
    expect(log).toEqual(['all', 'copy', 'cut', 'paste', 'dup', 'nudge 16,0', 'nudge 0,-64', 'sheet', 'fit', 'layout']);
    expect(prevented).toBe(10);
  });

  it('leaves Ctrl+A, arrows and letters to a field being typed in', () => {
    const log: string[] = [];
    const onKey = editorShortcutHandler(editorHandlers(log));
    const field = { tagName: 'INPUT' };
    onKey(key('a', field, { ctrlKey: true }));
    onKey(key('ArrowLeft', field));
    onKey(key('f', field));
    expect(log).toEqual([]);
  });
});
