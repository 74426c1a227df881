import { afterEach, describe, expect, it, vi } from 'vitest';
import { shortcutHandler, type ShortcutHandlers } from '../../renderer/src/composables/useShortcuts';

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
