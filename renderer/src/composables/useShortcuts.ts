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

/** The canvas' own keys (registered by GraphCanvas, beside the app-wide ones above). */
export interface EditorShortcutHandlers {
  selectAll(): void;
  copy(): void;
  cut(): void;
  paste(): void;
  duplicate(): void;
  /** Arrow keys: grid steps, ×4 with Shift. */
  nudge(dx: number, dy: number): void;
  toggleShortcutSheet(): void;
  fit(): void;
  layout(): void;
}

const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** The keydown handler for editor keys; exported for tests. `step` is one grid cell. */
export function editorShortcutHandler(h: EditorShortcutHandlers, step = 16): (e: KeyboardEvent) => void {
  return (e: KeyboardEvent) => {
    if (isTyping(e.target)) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    const act = (fn: () => void) => {
      e.preventDefault(); // Ctrl+A must select blocks, not the page's text
      fn();
    };
    if (mod && key === 'a') return act(h.selectAll);
    if (mod && key === 'c') return act(h.copy);
    if (mod && key === 'x') return act(h.cut);
    if (mod && key === 'v') return act(h.paste);
    if (mod && key === 'd') return act(h.duplicate);
    if (mod || e.altKey) return;
    if (e.key === '?') return act(h.toggleShortcutSheet);
    if (key === 'f' && !e.shiftKey) return act(h.fit);
    if (key === 'l' && e.shiftKey) return act(h.layout);
    const arrow = ARROWS[e.key];
    if (arrow) act(() => h.nudge(arrow[0] * step * (e.shiftKey ? 4 : 1), arrow[1] * step * (e.shiftKey ? 4 : 1)));
  };
}

export function useEditorShortcuts(h: EditorShortcutHandlers): void {
  const onKey = editorShortcutHandler(h);
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
}

/** What the shortcut sheet lists (one source for the sheet and the docs). */
export const SHORTCUTS: readonly [keys: string, what: string][] = [
  ['Click palette block', 'Insert after the selected block (or add in view)'],
  ['Drag palette block onto a connection', 'Insert it into the connection'],
  ['Shift + drag on the canvas', 'Box-select blocks'],
  ['Shift / Ctrl + click', 'Add a block to the selection'],
  ['Ctrl/⌘ + A', 'Select all blocks'],
  ['Ctrl/⌘ + C, X, V', 'Copy, cut, paste'],
  ['Ctrl/⌘ + D', 'Duplicate the selection'],
  ['Arrow keys (Shift: ×4)', 'Nudge the selection'],
  ['Delete / Backspace', 'Delete the selection'],
  ['Ctrl/⌘ + Z, Ctrl/⌘ + Shift + Z', 'Undo, redo'],
  ['F', 'Zoom to fit'],
  ['Shift + L', 'Auto-layout'],
  ['Right-click', 'Menu for the canvas, a block or a connection'],
  ['Ctrl/⌘ + S, O', 'Save, open'],
  ['?', 'This sheet'],
];
