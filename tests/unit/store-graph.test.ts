import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHost, type MemoryHost } from '../../renderer/src/host/memory';
import { setHost } from '../../renderer/src/composables/useHost';
import { useGraphStore } from '../../renderer/src/stores/graph';
import { useProjectStore } from '../../renderer/src/stores/project';
import { useTrainingStore } from '../../renderer/src/stores/training';
import { useUiStore } from '../../renderer/src/stores/ui';
import { useFlowModel } from '../../renderer/src/composables/useFlowModel';
import { parseProject, serializeProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';

let host: MemoryHost;

beforeEach(() => {
  host = createMemoryHost();
  setHost(host);
  setActivePinia(createPinia());
});

/** Input → Flatten → Classifier, built through the store. */
function smallNet() {
  const g = useGraphStore();
  const input = g.addBlock('Input', { x: 0, y: 0 });
  const flat = g.addBlock('Flatten', { x: 200, y: 0 });
  const cls = g.addBlock('Classifier', { x: 400, y: 0 });
  expect(g.connect(input, flat)).toEqual({ ok: true });
  expect(g.connect(flat, cls)).toEqual({ ok: true });
  return { g, input, flat, cls };
}

describe('graph store', () => {
  it('adds blocks with fresh ids, selects the new block and derives shapes and parameter counts', () => {
    const { g, input, cls } = smallNet();
    expect(input).toBe('input_1');
    expect(g.selectedBlockIds).toEqual([cls]);
    expect(g.analysis.ok).toBe(true);
    expect(g.analysis.blocks[cls].shape).toEqual([10]);
    expect(g.analysis.blocks[cls].params).toBe(784 * 10 + 10);
    expect(g.analysis.totalParams).toBe(7850);
  });

  it('rejects invalid connections with a message and leaves the graph unchanged', () => {
    const { g, input, flat, cls } = smallNet();
    const before = g.graph;
    const loop = g.connect(cls, input);
    expect(loop.ok).toBe(false);
    const second = g.connect(input, flat); // duplicate
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error).toMatch(/already/);
    expect(g.connect(flat, flat).ok).toBe(false);
    expect(g.graph).toBe(before);
  });

  it('reports a shape error on the block, not as a failed connection', () => {
    const g = useGraphStore();
    const input = g.addBlock('Input', { x: 0, y: 0 });
    const dense = g.addBlock('Dense', { x: 200, y: 0 });
    expect(g.connect(input, dense).ok).toBe(true);
    const issue = g.issuesFor(dense)[0];
    expect(issue.code).toBe('shape');
    expect(issue.hint).toMatch(/Flatten/);
    expect(g.analysis.ok).toBe(false);
  });

  it('deletes the selection (blocks with their edges, and selected edges) as one undo step', () => {
    const { g, flat } = smallNet();
    g.select([flat]);
    expect(g.deleteSelection()).toBe(true);
    expect(g.graph.blocks.map((b) => b.id)).toEqual(['input_1', 'classifier_1']);
    expect(g.graph.edges).toEqual([]);
    expect(g.selectedBlockIds).toEqual([]);
    g.undo();
    expect(g.graph.blocks).toHaveLength(3);
    expect(g.graph.edges).toHaveLength(2);

    g.select([], [g.graph.edges[0].id]);
    g.deleteSelection();
    expect(g.graph.edges.map((e) => e.target)).toEqual(['classifier_1']);
    expect(g.graph.blocks).toHaveLength(3);
  });

  it('undoes and redoes edits in order, and a new edit clears redo', () => {
    const { g, cls } = smallNet();
    g.setParam(cls, 'classes', 5);
    expect(g.analysis.blocks[cls].shape).toEqual([5]);
    g.undo();
    expect(g.analysis.blocks[cls].shape).toEqual([10]);
    g.redo();
    expect(g.analysis.blocks[cls].shape).toEqual([5]);
    g.undo();
    g.undo(); // the flatten → classifier edge
    expect(g.graph.edges).toHaveLength(1);
    expect(g.canRedo).toBe(true);
    g.addBlock('Dropout', { x: 0, y: 300 });
    expect(g.canRedo).toBe(false);
  });

  it('records a whole drag as one undo step', () => {
    const { g, input } = smallNet();
    const depth = () => { let n = 0; while (g.canUndo) { g.undo(); n++; } return n; };
    g.checkpoint();
    g.moveBlock(input, { x: 10, y: 10 }, false);
    g.moveBlock(input, { x: 20, y: 30 }, false);
    g.moveBlock(input, { x: 48, y: 64 }, false);
    expect(g.blockById.get(input)?.position).toEqual({ x: 48, y: 64 });
    g.undo();
    expect(g.blockById.get(input)?.position).toEqual({ x: 0, y: 0 });
    g.redo();
    expect(depth()).toBe(6); // 3 adds + 2 connects + 1 drag
  });

  it('records arrow-key moves of the selection as one undo step', () => {
    const { g, input, flat } = smallNet();
    const flow = useFlowModel();
    // What Vue Flow emits for an arrow key: position changes with `from`, not dragging.
    flow.onNodesChange([
      { type: 'position', id: input, position: { x: 5, y: 0 }, from: { x: 0, y: 0 }, dragging: false },
      { type: 'position', id: flat, position: { x: 205, y: 0 }, from: { x: 200, y: 0 }, dragging: false },
    ]);
    expect(g.blockById.get(input)?.position).toEqual({ x: 5, y: 0 });
    g.undo();
    expect(g.blockById.get(input)?.position).toEqual({ x: 0, y: 0 });
    expect(g.blockById.get(flat)?.position).toEqual({ x: 200, y: 0 });
    expect(g.graph.edges).toHaveLength(2); // the connect before it is still there
  });

  it('drops redo on any change, even an unrecorded one, so redo cannot discard it', () => {
    const { g, input } = smallNet();
    g.undo();
    expect(g.canRedo).toBe(true);
    g.moveBlock(input, { x: 30, y: 40 }, false);
    expect(g.canRedo).toBe(false);
    g.redo();
    expect(g.blockById.get(input)?.position).toEqual({ x: 30, y: 40 });
  });

  it('finds the first Conv2D in data-flow order for the Filters panel', () => {
    const g = useGraphStore();
    const input = g.addBlock('Input', { x: 0, y: 0 });
    const late = g.addBlock('Conv2D', { x: 400, y: 0 });
    const early = g.addBlock('Conv2D', { x: 200, y: 0 });
    g.connect(input, early);
    g.connect(early, late);
    expect(g.firstConvId).toBe(early);
  });
});

describe('project store', () => {
  it('autosaves the graph and training settings through the host, skipping unchanged text', async () => {
    const { g } = smallNet();
    const project = useProjectStore();
    const training = useTrainingStore();
    training.updateConfig({ epochs: 3 });
    expect(project.autosaved).toBe(false);
    await project.autosave();
    expect(host.autosaveWrites).toBe(1);
    expect(project.autosaved).toBe(true);
    const saved = parseProject(host.autosave as string);
    expect(saved.graph).toEqual(g.graph);
    expect(saved.trainConfig.epochs).toBe(3);
    await project.autosave();
    expect(host.autosaveWrites).toBe(1);
    g.setParam('classifier_1', 'classes', 4);
    await project.autosave();
    expect(host.autosaveWrites).toBe(2);
  });

  it('retries a failed autosave and does not count it as written', async () => {
    smallNet();
    const project = useProjectStore();
    const store = host.storeAutosave;
    host.storeAutosave = async () => {
      throw new Error('disk full');
    };
    await expect(project.autosave()).rejects.toThrow('disk full');
    expect(project.autosaved).toBe(false);
    host.storeAutosave = store;
    await project.autosave();
    expect(host.autosaveWrites).toBe(1);
    expect(project.autosaved).toBe(true);
  });

  it('tells the user when the autosave cannot be read, and keeps it', async () => {
    const broken = '{"format": "netwright-project", "version": 1, "graph": {';
    setHost(createMemoryHost({ autosave: broken }));
    expect(await useProjectStore().restore()).toBe(false);
    expect(useUiStore().toasts.map((t) => t.text)).toEqual([expect.stringMatching(/^Your last autosave could not be read: .*not valid JSON/)]);

    setActivePinia(createPinia());
    const failing = createMemoryHost();
    failing.loadAutosave = async () => {
      throw new Error('permission denied');
    };
    setHost(failing);
    expect(await useProjectStore().restore()).toBe(false); // resolves, so the app still becomes ready
    expect(useUiStore().toasts[0]).toMatchObject({ kind: 'error', text: 'Your last autosave could not be read: permission denied' });
  });

  it('restores an autosave, and ignores a broken one', async () => {
    smallNet();
    await useProjectStore().autosave();
    const text = host.autosave;

    setActivePinia(createPinia());
    host = createMemoryHost({ autosave: text });
    setHost(host);
    expect(await useProjectStore().restore()).toBe(true);
    expect(useGraphStore().graph.blocks).toHaveLength(3);
    expect(useGraphStore().canUndo).toBe(false);

    setActivePinia(createPinia());
    setHost(createMemoryHost({ autosave: '{"not": "a project"' }));
    expect(await useProjectStore().restore()).toBe(false);
    expect(useGraphStore().isEmpty).toBe(true);
  });

  it('loads templates as undoable edits, and saves and reopens a project file', async () => {
    const project = useProjectStore();
    const g = useGraphStore();
    expect(project.loadTemplate('convnetjs-mnist')).toBe(true);
    expect(g.analysis.ok).toBe(true);
    expect(g.firstConvId).toBe('conv2d_1');
    expect(project.dirty).toBe(true);
    expect(await project.save()).toBe(true);
    expect(project.dirty).toBe(false);
    const path = [...host.files.keys()][0];
    expect(path).toMatch(/\.netwright\.json$/);

    project.newProject();
    expect(g.isEmpty).toBe(true);
    host.queueOpen(path);
    expect(await project.open()).toBe(true);
    expect(g.graph.blocks.map((b) => b.type)).toContain('Conv2D');
    expect(g.canUndo).toBe(false);
  });

  it('opens a project with a fresh undo history, so Undo then Save cannot overwrite it with the old network', async () => {
    const project = useProjectStore(); // before the edits, as in the app: they make it dirty
    const { g } = smallNet();
    const fileText = serializeProject({ graph: instantiate(templateById('lenet-5')!), trainConfig: DEFAULT_TRAIN_CONFIG });
    host.files.set('lenet.netwright.json', new TextEncoder().encode(fileText));
    host.queueOpen('lenet.netwright.json');
    expect(await project.open()).toBe(true);
    expect(host.confirmations).toHaveLength(1); // the small net was unsaved
    expect(g.canUndo).toBe(false);
    g.undo();
    expect(await project.save()).toBe(true);
    expect(parseProject(host.readText('lenet.netwright.json')).graph).toEqual(parseProject(fileText).graph);

    project.newProject();
    expect(g.canUndo).toBe(false);
  });

  it('asks before opening over unsaved changes, and keeps them when the user declines', async () => {
    const project = useProjectStore();
    const { g } = smallNet();
    const before = g.graph;
    host.queueConfirm(false);
    expect(await project.open()).toBe(false);
    expect(host.confirmations).toEqual(['Discard the current network and open another project?']);
    expect(host.openRequests).toHaveLength(0);
    expect(g.graph).toBe(before);
  });

  it('reports an unreadable project file with the parser message', async () => {
    host.files.set('bad.netwright.json', new TextEncoder().encode('not json'));
    host.queueOpen('bad.netwright.json');
    await expect(useProjectStore().open()).rejects.toThrow(/not valid JSON/);
  });
});
