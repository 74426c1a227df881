// Transient UI state: toasts, which bottom-panel tab is showing, and the editor's overlays
// (theme, shortcut sheet, model summary, a block to bring into view).
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ExportFormat } from '../core/export/formats';

export type ToastKind = 'info' | 'error' | 'success';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}
export type PanelTab = 'curves' | 'filters' | 'runs' | 'evaluate' | 'inside' | 'lab';
/** 'system' follows the OS (prefers-color-scheme). */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const useUiStore = defineStore('ui', () => {
  // State
  const toasts = ref<Toast[]>([]);
  const panelTab = ref<PanelTab>('curves');
  let nextId = 1;
  const theme = ref<ThemeChoice>('system');
  const shortcutsOpen = ref(false);
  const summaryOpen = ref(false);
  /** The export dialog's format while it is open (opened from the run summary or a menu). */
  const exportFormat = ref<ExportFormat | null>(null);
  /** A request to centre the canvas on a block; `n` changes on every request. */
  const focus = ref<{ id: string; n: number } | null>(null);

  // Actions
  function notify(text: string, kind: ToastKind = 'info', ms = 4500): number {
    const id = nextId++;
    toasts.value = [...toasts.value.slice(-3), { id, kind, text }];
    if (ms > 0) setTimeout(() => dismiss(id), ms);
    return id;
  }
  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }
  function showTab(tab: PanelTab): void {
    panelTab.value = tab;
  }

  function focusBlock(id: string): void {
    focus.value = { id, n: (focus.value?.n ?? 0) + 1 };
  }
  function setTheme(t: ThemeChoice): void {
    theme.value = t;
  }

  return { toasts, panelTab, notify, dismiss, showTab, theme, shortcutsOpen, summaryOpen, exportFormat, focus, focusBlock, setTheme };
});
