// Transient UI state: toasts and which bottom-panel tab is showing.
import { defineStore } from 'pinia';
import { ref } from 'vue';

export type ToastKind = 'info' | 'error' | 'success';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}
export type PanelTab = 'curves' | 'filters' | 'runs' | 'evaluate';

export const useUiStore = defineStore('ui', () => {
  // State
  const toasts = ref<Toast[]>([]);
  const panelTab = ref<PanelTab>('curves');
  let nextId = 1;

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

  return { toasts, panelTab, notify, dismiss, showTab };
});
