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

export function useShortcuts(h: ShortcutHandlers): void {
  const onKey = (e: KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 's') return run(e, h.save);
    if (mod && key === 'o') return run(e, h.open);
    if (isTyping(e.target)) return;
    if (e.key === 'Delete' || e.key === 'Backspace') return run(e, h.deleteSelection);
    if (mod && key === 'z') return run(e, e.shiftKey ? h.redo : h.undo);
    if (mod && key === 'y') return run(e, h.redo);
    if (e.key === 'Escape') h.escape();
  };
  const run = (e: KeyboardEvent, fn: () => void) => {
    e.preventDefault();
    fn();
  };
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}
