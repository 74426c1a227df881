// Editor keyboard shortcuts. Ignored while typing in a field, so Backspace edits text there.
import { onBeforeUnmount, onMounted } from 'vue';

export interface ShortcutHandlers {
  deleteSelection(): void;
  undo(): void;
  redo(): void;
  save(): void;
  open(): void;
  escape(): void;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable;
}

/** The keydown handler; exported for tests. */
export function shortcutHandler(h: ShortcutHandlers): (e: KeyboardEvent) => void {
  const run = (e: KeyboardEvent, fn: () => void) => {
    e.preventDefault();
    fn();
  };
  return (e: KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && (key === 's' || key === 'o')) {
      // Blur first: a number field commits its value on change, which blur fires; else Ctrl+S saves the old value.
      (document.activeElement as HTMLElement | null)?.blur();
      return run(e, key === 's' ? h.save : h.open);
    }
    if (isTyping(e.target)) return;
    if (e.key === 'Delete' || e.key === 'Backspace') return run(e, h.deleteSelection);
    if (mod && key === 'z') return run(e, e.shiftKey ? h.redo : h.undo);
    if (mod && key === 'y') return run(e, h.redo);
    if (e.key === 'Escape') h.escape();
  };
}

export function useShortcuts(h: ShortcutHandlers): void {
  const onKey = shortcutHandler(h);
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
