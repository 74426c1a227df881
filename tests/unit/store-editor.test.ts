// Editor behaviour in the stores: palette insertion as one undo step, the header's parameter
// total, analysis not re-run by drags, clipboard, units, and the project name across undo/reload.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHost, type MemoryHost } from '../../renderer/src/host/memory';
import { setHost } from '../../renderer/src/composables/useHost';
import { useGraphStore } from '../../renderer/src/stores/graph';
import { useProjectStore } from '../../renderer/src/stores/project';

let host: MemoryHost;
beforeEach(() => {
  host = createMemoryHost();
  setHost(host);
  setActivePinia(createPinia());
});

describe('graph store (editor)', () => {
  it('palette click with a block selected inserts into the chain as one undo step', () => {
    const p = useProjectStore();
    const g = useGraphStore();
    p.loadTemplate('logistic-regression');
    g.select(['flatten_1']);
    const { id } = g.addFromPalette('Dropout', { x: 0, y: 0 });
    expect(id).toBe('dropout_1');
    expect(g.graph.edges.map((e) => `${e.source}>${e.target}`).sort()).toEqual(['dropout_1>classifier_1', 'flatten_1>dropout_1', 'input_1>flatten_1']);
    expect(g.analysis.issues).toEqual([]);
    g.undo();
    expect(g.graph.blocks.map((b) => b.id)).toEqual(['input_1', 'flatten_1', 'classifier_1']);
    expect(g.graph.edges.length).toBe(2);
  });

  it('with nothing selected a palette block goes to a free spot, never on top of another', () => {
    const g = useGraphStore();
    const a = g.addFromPalette('Dense', { x: 100, y: 100 }).id;
    g.clearSelection();
    const b = g.addFromPalette('Dense', { x: 100, y: 100 }).id;
    const pa = g.blockById.get(a)!.position;
    const pb = g.blockById.get(b)!.position;
    expect(Math.abs(pa.x - pb.x) >= 196 || Math.abs(pa.y - pb.y) >= 110).toBe(true);
  });

  it('the header total counts only blocks that reach the classifier', () => {
    const p = useProjectStore();
    const g = useGraphStore();
    p.loadTemplate('logistic-regression');
    g.clearSelection();
    const side = g.addBlock('Dense', { x: 0, y: 400 });
    expect(g.connect('flatten_1', side)).toEqual({ ok: true }); // a dead-end branch: 784·32+32 params
    expect(g.analysis.totalParams).toBeGreaterThan(7850);
    expect(g.totalParams).toBe(7850);
  });

  it('dragging does not re-run the analysis; a parameter edit does', () => {
    const p = useProjectStore();
    const g = useGraphStore();
    p.loadTemplate('convnetjs-mnist');
    const before = g.analysis;
    g.checkpoint();
    for (let i = 1; i <= 20; i++) g.moveBlock('conv2d_1', { x: 100 + i, y: 50 }, false);
    expect(g.analysis).toBe(before);
    g.setParam('conv2d_1', 'filters', 12);
    expect(g.analysis).not.toBe(before);
    expect(g.analysis.blocks.conv2d_1.shape).toEqual([24, 24, 12]);
  });

  it('a vector Input blocks training with a clear error', () => {
    const p = useProjectStore();
    const g = useGraphStore();
    p.loadTemplate('logistic-regression');
    g.setParam('input_1', 'kind', 'vector');
    expect(g.analysis.ok).toBe(false);
    expect(g.issuesFor('input_1')[0].message).toContain('cannot be trained');
  });

  it('copy/paste and duplicate keep internal connections with new ids; select all; nudge', () => {
    const p = useProjectStore();
    const g = useGraphStore();
    p.loadTemplate('convnetjs-mnist');
    g.select(['conv2d_1', 'maxpool2d_1']);
    expect(g.copySelection()).toBe(2);
    const ids = g.paste();
    expect(ids).toEqual(['conv2d_3', 'maxpool2d_3']);
    expect(g.selectedBlockIds).toEqual(ids);
    expect(g.graph.edges.some((e) => e.source === 'conv2d_3' && e.target === 'maxpool2d_3')).toBe(true);
    const dup = g.duplicateSelection();
    expect(dup).toEqual(['conv2d_4', 'maxpool2d_4']);
    const x0 = g.blockById.get('conv2d_4')!.position.x;
    g.nudge(16, 0);
    expect(g.blockById.get('conv2d_4')!.position.x).toBe(x0 + 16);
    g.selectAll();
    expect(g.selectedBlockIds.length).toBe(g.graph.blocks.length);
    g.cutSelection();
    expect(g.graph.blocks).toEqual([]);
  });

  it('units: make, repeat (analysis sees the copies), collapse, ungroup; saved and loaded', async () => {
    const p = useProjectStore();
    const g = useGraphStore();
    p.loadTemplate('convnetjs-mnist');
    g.select(['conv2d_1', 'maxpool2d_1']);
    const r = g.makeUnit('Stage', 2);
    expect(r.ok).toBe(true);
    expect(g.analysis.blocks.maxpool2d_1_r2.shape).toEqual([6, 6, 8]);
    g.updateUnit('unit_1', { collapsed: true });
    expect(g.unitList[0].collapsed).toBe(true);
    await p.autosave();
    setActivePinia(createPinia());
    const p2 = useProjectStore();
    await p2.restore();
    expect(useGraphStore().unitList).toEqual([expect.objectContaining({ name: 'Stage', repeat: 2, collapsed: true })]);
    useGraphStore().ungroup('unit_1');
    expect(useGraphStore().unitList).toEqual([]);
  });
});

describe('project name', () => {
  it('survives a reload (autosave) and undo after a template brings the old name back', async () => {
    const p = useProjectStore();
    const g = useGraphStore();
    p.loadTemplate('lenet-5');
    expect(p.name).toBe('LeNet-5');
    p.loadTemplate('convnetjs-mnist');
    expect(p.name).toBe('ConvNetJS MNIST');
    g.undo();
    expect(p.name).toBe('LeNet-5');
    g.redo();
    expect(p.name).toBe('ConvNetJS MNIST');
    g.undo();
    g.undo();
    expect(p.name).toBe('Untitled');
    g.redo();
    await p.autosave();
    setActivePinia(createPinia());
    const again = useProjectStore();
    expect(await again.restore()).toBe(true);
    expect(again.name).toBe('LeNet-5');
    expect(again.autosaved).toBe(true);
  });
});
