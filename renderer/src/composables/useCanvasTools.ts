// The canvas' editing tools: right-click menus, the unit dialog, copy/cut, layout, zoom to fit and
// diagram export. GraphCanvas renders them; CanvasToolbar and the shortcuts call them.
import { type Ref, shallowRef } from 'vue';
import { toPng, toSvg } from 'html-to-image';
import type { MenuItem } from '../components/ContextMenu.vue';
import { unitOf } from '../core/graph/units';
import { useGraphStore } from '../stores/graph';
import { useUiStore } from '../stores/ui';
import { unitNodeId } from './useFlowModel';

export interface MenuState {
  x: number;
  y: number;
  title?: string;
  items: MenuItem[];
}

/** The unit dialog: make a unit from the selection, or edit an existing one. */
export interface UnitDialogState {
  unitId?: string;
  name: string;
  repeat: number;
}

const point = (e: MouseEvent | TouchEvent): { x: number; y: number } =>
  'clientX' in e ? { x: e.clientX, y: e.clientY } : { x: e.touches[0]?.clientX ?? 0, y: e.touches[0]?.clientY ?? 0 };

export function useCanvasTools(root: Ref<HTMLElement | null>, fitView: () => unknown) {
  const graph = useGraphStore();
  const ui = useUiStore();
  const menu = shallowRef<MenuState | null>(null);
  const unitDialog = shallowRef<UnitDialogState | null>(null);

  function copy(): void {
    const n = graph.copySelection();
    if (n) ui.notify(`Copied ${n} block${n > 1 ? 's' : ''}`, 'info', 1500);
  }
  function cut(): void {
    const n = graph.cutSelection();
    if (n) ui.notify(`Cut ${n} block${n > 1 ? 's' : ''} — Ctrl+V pastes them`, 'info', 1500);
  }
  function fit(): void {
    void fitView();
  }
  function layout(): void {
    graph.autoLayout();
    setTimeout(fit, 50);
  }
  function openUnitDialog(): void {
    const unit = graph.selectedBlockIds.length === 1 ? unitOf(graph.graph, graph.selectedBlockIds[0]) : undefined;
    unitDialog.value = unit ? { unitId: unit.id, name: unit.name, repeat: unit.repeat } : { name: 'Unit', repeat: 1 };
  }

  /** Renders the diagram (blocks and connections, no minimap or controls) to an image and downloads it. */
  async function exportImage(kind: 'png' | 'svg'): Promise<void> {
    const el = root.value?.querySelector<HTMLElement>('.vue-flow');
    if (!el) return;
    fit();
    await new Promise((r) => setTimeout(r, 260));
    const skip = ['vue-flow__minimap', 'vue-flow__controls', 'vue-flow__panel'];
    const filter = (n: HTMLElement) => !skip.some((c) => n.classList?.contains(c));
    const background = getComputedStyle(document.documentElement).getPropertyValue('--bg-canvas').trim() || '#12161d';
    try {
      const url = kind === 'png' ? await toPng(el, { filter, backgroundColor: background, pixelRatio: 2 }) : await toSvg(el, { filter, backgroundColor: background });
      const a = document.createElement('a');
      a.href = url;
      a.download = `network.${kind}`;
      a.click();
    } catch (e) {
      ui.notify(`Could not export the diagram: ${e instanceof Error ? e.message : String(e)}`, 'error');
    }
  }

  function paneMenu(e: MouseEvent): void {
    e.preventDefault();
    const has = graph.graph.blocks.length > 0;
    menu.value = {
      ...point(e),
      items: [
        { label: 'Paste', testid: 'paste', hint: 'Ctrl+V', action: () => graph.paste(), disabled: !graph.clipboard?.blocks.length },
        { label: 'Select all', testid: 'select-all', hint: 'Ctrl+A', action: () => graph.selectAll(), disabled: !has },
        { label: 'Auto-layout', testid: 'layout', hint: 'Shift+L', action: layout, disabled: !has },
        { label: 'Zoom to fit', testid: 'fit', hint: 'F', action: fit, disabled: !has },
        { label: 'Model summary', testid: 'summary', action: () => (ui.summaryOpen = true), disabled: !has },
        { label: 'Keyboard shortcuts', testid: 'shortcuts', hint: '?', action: () => (ui.shortcutsOpen = true) },
      ],
    };
  }

  function nodeMenu(e: MouseEvent | TouchEvent, nodeId: string): void {
    e.preventDefault();
    const unit = graph.unitList.find((u) => unitNodeId(u.id) === nodeId) ?? unitOf(graph.graph, nodeId);
    const ids = unit && nodeId.startsWith('unit:') ? unit.blockIds : [nodeId];
    // Right-click on a block outside the selection selects it, as file managers do.
    if (!ids.every((id) => graph.selectedBlockIds.includes(id))) graph.select(ids);
    const many = graph.selectedBlockIds.length > 1;
    const items: MenuItem[] = [
      { label: 'Copy', testid: 'copy', hint: 'Ctrl+C', action: copy },
      { label: 'Cut', testid: 'cut', hint: 'Ctrl+X', action: cut },
      { label: 'Duplicate', testid: 'duplicate', hint: 'Ctrl+D', action: () => graph.duplicateSelection() },
    ];
    if (unit) {
      items.push(
        { label: unit.collapsed ? 'Expand unit' : 'Collapse unit', testid: 'toggle-unit', action: () => graph.updateUnit(unit.id, { collapsed: !unit.collapsed }) },
        { label: 'Unit name and repeat…', testid: 'edit-unit', action: () => (unitDialog.value = { unitId: unit.id, name: unit.name, repeat: unit.repeat }) },
        { label: 'Ungroup unit', testid: 'ungroup', action: () => graph.ungroup(unit.id) },
      );
    } else {
      items.push({ label: many ? 'Make unit…' : 'Make unit… (select its blocks)', testid: 'make-unit', action: openUnitDialog, disabled: !many && graph.selectedBlockIds.length === 0 });
    }
    items.push({ label: 'Delete', testid: 'delete', hint: 'Del', action: () => graph.deleteSelection() });
    menu.value = { ...point(e), title: many ? `${graph.selectedBlockIds.length} blocks` : ids[0], items };
  }

  function edgeMenu(e: MouseEvent | TouchEvent, edgeId: string): void {
    e.preventDefault();
    const edge = graph.graph.edges.find((x) => x.id === edgeId);
    if (!edge) return;
    graph.select([], [edgeId]);
    const shape = graph.analysis.blocks[edge.source]?.shape;
    menu.value = {
      ...point(e),
      title: `${edge.source} → ${edge.target}${shape ? ` · ${shape.join('×')}` : ''}`,
      items: [
        { label: 'Delete connection', testid: 'delete-edge', action: () => graph.removeEdges([edgeId]) },
        { label: 'Select both ends', testid: 'select-ends', action: () => graph.select([edge.source, edge.target]) },
      ],
    };
  }

  return { menu, unitDialog, copy, cut, fit, layout, exportImage, openUnitDialog, paneMenu, nodeMenu, edgeMenu };
}

export type CanvasTools = ReturnType<typeof useCanvasTools>;
