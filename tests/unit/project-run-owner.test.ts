// A project file keeps its own runs, not the whole shared run history: runs trained while it was
// the open document, and runs that came from its file. Projects A and B in one session, Save As,
// an untitled project saved later (also after a reload), reopening a file, older records and files.
// Every test has a run of another project in the history, so each fails without the ownership filter.
import vue from '@vitejs/plugin-vue';
import { createPinia, setActivePinia } from 'pinia';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSSRApp, h, type Component } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { toRunRow } from '../../renderer/src/components/runRows';
import { setHost } from '../../renderer/src/composables/useHost';
import { parseProject, serializeProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { readDocumentId, writeDocumentId } from '../../renderer/src/core/runs/owner';
import type { RunRecord } from '../../renderer/src/core/runs/record';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';
import { createMemoryHost, type MemoryHost } from '../../renderer/src/host/memory';
import { memoryRunStorage, setRunStorage, type RunStorage } from '../../renderer/src/host/run-storage';
import { useProjectStore } from '../../renderer/src/stores/project';
import { useRunsStore } from '../../renderer/src/stores/runs';
import { useTrainingStore } from '../../renderer/src/stores/training';

let host: MemoryHost;
let storage: RunStorage;
beforeEach(() => {
  host = createMemoryHost();
  setHost(host);
  storage = memoryRunStorage();
  setRunStorage(storage);
  setActivePinia(createPinia());
});

/** The app reloaded: new stores, the same host (autosave, files) and run storage, history read back. */
async function reload(): Promise<void> {
  await flush();
  setActivePinia(createPinia());
  await Promise.all([useProjectStore().restore(), useRunsStore().load()]);
}
const flush = () => new Promise((r) => setTimeout(r, 0));

const graph = instantiate(templateById('logistic-regression')!);

/** Trains a run through the training store (as the Train button does) and finishes it. */
function train(): string {
  const t = useTrainingStore();
  t.setTransport({ post: () => {} });
  const id = t.start(graph) as string;
  t.handle({ type: 'done', runId: id, stopped: false, testLoss: 0.5, testAccuracy: 0.9, seconds: 1, examplesSeen: 300 });
  return id;
}

function record(id: string, createdAt = 1): RunRecord {
  return {
    id, name: `old ${id}`, createdAt, graph, config: { ...DEFAULT_TRAIN_CONFIG }, dataset: { kind: 'mnist' }, state: 'done',
    curves: { trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], learningRate: [] }, epoch: 1,
  };
}

/** Ids of the runs in a saved file, sorted. */
const runsIn = (path: string): string[] => (parseProject(host.readText(path)).runs ?? []).map((r) => r.id).sort();
const sorted = (...ids: string[]) => [...ids].sort();

async function saveAs(path: string): Promise<void> {
  host.queueSaveAs(path);
  expect(await useProjectStore().saveAs()).toBe(true);
}

describe('a project file keeps its own runs', () => {
  it('A then B in one session: B saves only its runs, A keeps its own', async () => {
    const project = useProjectStore();
    project.loadTemplate('logistic-regression');
    const a1 = train();
    await saveAs('a.netwright.json');
    const a2 = train(); // trained in A after its save: A's, not yet in its file
    expect(project.dirty).toBe(true);

    project.newProject(); // project B
    expect(project.dirty).toBe(false); // A's runs do not make B dirty...
    useRunsStore().rename(a1, 'renamed in B'); // ...nor does a change to one of them
    expect(project.dirty).toBe(false);
    const b1 = train();
    expect(project.dirty).toBe(true);
    await saveAs('b.netwright.json');
    expect(runsIn('b.netwright.json')).toEqual([b1]);
    expect(useRunsStore().inProject).toEqual(new Set([b1]));

    // B from a template too: a template starts a new project.
    project.loadTemplate('lenet-5');
    const c1 = train();
    await saveAs('c.netwright.json');
    expect(runsIn('c.netwright.json')).toEqual([c1]);

    // A again: its file's runs and the run trained in it after its save; not B's or C's.
    host.queueOpen('a.netwright.json');
    expect(await project.open()).toBe(true);
    expect(runsIn('a.netwright.json')).toEqual([a1]);
    expect(project.dirty).toBe(true); // a2 is A's and not in its file yet
    expect(await project.save()).toBe(true);
    expect(runsIn('a.netwright.json')).toEqual(sorted(a1, a2));
    expect(useRunsStore().records).toHaveLength(4); // the history keeps every project's runs
  });

  it('Save As writes the runs of the document being saved; later runs go to the new file only', async () => {
    const project = useProjectStore();
    const runs = useRunsStore();
    runs.add({ ...record('other'), project: 'doc_someone_else' });
    project.loadTemplate('logistic-regression');
    const r1 = train();
    await saveAs('a.netwright.json');
    const r2 = train();
    const idA = project.documentId;
    await saveAs('copy.netwright.json');
    expect(runsIn('copy.netwright.json')).toEqual(sorted(r1, r2));
    expect(project.documentId).not.toBe(idA); // the copy is a document of its own
    expect(readDocumentId(host.readText('copy.netwright.json'))).toBe(project.documentId);
    expect(readDocumentId(host.readText('a.netwright.json'))).toBe(idA);
    expect(project.dirty).toBe(false);

    const r3 = train();
    expect(await project.save()).toBe(true); // in place: the copy
    expect(runsIn('copy.netwright.json')).toEqual(sorted(r1, r2, r3));
    expect(runsIn('a.netwright.json')).toEqual([r1]);

    // The original, opened again, keeps what its file holds, not what the copy trained since.
    host.queueOpen('a.netwright.json');
    expect(await project.open()).toBe(true);
    expect(project.documentId).toBe(idA);
    expect(await project.save()).toBe(true);
    expect(runsIn('a.netwright.json')).toEqual([r1]);
  });

  it('after Save As the autosave holds the new id at once, so a reload keeps the copy\'s runs', async () => {
    const project = useProjectStore();
    useRunsStore().add({ ...record('other'), project: 'doc_someone_else' });
    project.loadTemplate('logistic-regression');
    const r1 = train();
    await project.autosave();
    await saveAs('copy.netwright.json'); // no edit after it: nothing else would rewrite the autosave
    await reload();
    expect(useProjectStore().documentId).toBe(readDocumentId(host.readText('copy.netwright.json')));
    host.queueSaveAs('again.netwright.json');
    expect(await useProjectStore().save()).toBe(true);
    expect(runsIn('again.netwright.json')).toEqual([r1]);
  });

  it('Save As during a run: the training run moves with the document and is written by the next Save', async () => {
    const project = useProjectStore();
    useRunsStore().add({ ...record('other'), project: 'doc_someone_else' });
    const t = useTrainingStore();
    t.setTransport({ post: () => {} });
    const live = t.start(graph) as string;
    await saveAs('a.netwright.json');
    expect(runsIn('a.netwright.json')).toEqual([]);
    t.handle({ type: 'done', runId: live, stopped: true, testLoss: NaN, testAccuracy: NaN, seconds: 1, examplesSeen: 10 });
    expect(project.dirty).toBe(true);
    expect(await project.save()).toBe(true);
    expect(runsIn('a.netwright.json')).toEqual([live]);
  });

  it('an untitled project keeps the runs made while it was open, saved now or after a reload', async () => {
    const project = useProjectStore();
    useRunsStore().add({ ...record('other'), project: 'doc_someone_else' });
    project.loadTemplate('logistic-regression');
    const u1 = train();
    expect(project.path).toBeUndefined();
    await project.autosave();

    await reload(); // the untitled project comes back from the autosave with its id
    expect(useProjectStore().path).toBeUndefined();
    expect(useRunsStore().records.map((r) => r.id)).toContain('other');
    const u2 = train();
    host.queueSaveAs('untitled.netwright.json');
    expect(await useProjectStore().save()).toBe(true);
    expect(runsIn('untitled.netwright.json')).toEqual(sorted(u1, u2));
    expect(useProjectStore().dirty).toBe(false);
  });

  it('reopening a project file brings its runs back and claims them; runs trained in it but unsaved come back too', async () => {
    const project = useProjectStore();
    project.loadTemplate('logistic-regression');
    const a1 = train();
    await saveAs('a.netwright.json');
    const a2 = train(); // never saved into a.netwright.json
    project.newProject();
    const b1 = train();
    await saveAs('b.netwright.json');
    await project.autosave();

    await reload();
    // Another machine's history has a1 too, under another owner: the file claims it.
    useRunsStore().claim([a1], 'doc_elsewhere');
    host.queueOpen('a.netwright.json');
    expect(await useProjectStore().open()).toBe(true);
    const runs = useRunsStore();
    expect(runs.inProject).toEqual(new Set([a1, a2]));
    expect(runs.selectedId).toBe(a1);
    expect(useProjectStore().dirty).toBe(true);
    expect(await useProjectStore().save()).toBe(true);
    expect(runsIn('a.netwright.json')).toEqual(sorted(a1, a2));
    expect(runsIn('b.netwright.json')).toEqual([b1]);
    await flush();
    expect((await storage.list()).find((r) => r.id === a1)?.project).toBe(useProjectStore().documentId); // stored owner too
  });
});

describe('older records and files', () => {
  it('records without an owner stay in the history, are left out of a Save, and can be added to the project', async () => {
    await storage.put(record('legacy', 5));
    await useRunsStore().load();
    const project = useProjectStore();
    project.loadTemplate('logistic-regression');
    const mine = train();
    await saveAs('p.netwright.json');
    expect(runsIn('p.netwright.json')).toEqual([mine]);
    expect(useRunsStore().byId.has('legacy')).toBe(true);

    useRunsStore().claim(['legacy']);
    expect(project.dirty).toBe(true);
    expect(await project.save()).toBe(true);
    expect(runsIn('p.netwright.json')).toEqual(sorted('legacy', mine));
    // The file holds the owner once, at the top; its runs do not carry it.
    expect(host.readText('p.netwright.json')).not.toContain('"project"');
  });

  it('a file without a document id (older, or the CLI\'s) is the same document each time it is opened', async () => {
    const old = serializeProject({ graph, trainConfig: DEFAULT_TRAIN_CONFIG, runs: [record('f1')] });
    host.files.set('old.netwright.json', new TextEncoder().encode(old));
    useRunsStore().add({ ...record('other'), project: 'doc_someone_else' });
    const project = useProjectStore();
    host.queueOpen('old.netwright.json');
    expect(await project.open()).toBe(true);
    const id = project.documentId;
    expect(id).toMatch(/^file_/);
    const f2 = train(); // unsaved
    project.newProject();
    host.queueOpen('old.netwright.json');
    expect(await project.open()).toBe(true);
    expect(project.documentId).toBe(id);
    expect(useRunsStore().inProject).toEqual(new Set(['f1', f2]));
    expect(await project.save()).toBe(true);
    expect(runsIn('old.netwright.json')).toEqual(sorted('f1', f2));
    expect(readDocumentId(host.readText('old.netwright.json'))).toBe(id); // from now on written in the file
  });

  it('reads the id Save writes, one moved elsewhere by hand, and refuses a malformed one', () => {
    const text = serializeProject({ graph, trainConfig: DEFAULT_TRAIN_CONFIG });
    const saved = writeDocumentId(text, 'doc_abc');
    expect(readDocumentId(saved)).toBe('doc_abc');
    expect(parseProject(saved).graph).toEqual(graph); // the parser ignores the extra field
    const moved = JSON.stringify({ ...(JSON.parse(text) as object), documentId: 'doc_xyz' });
    expect(readDocumentId(moved)).toBe('doc_xyz');
    const bad = JSON.stringify({ documentId: '../../x', ...(JSON.parse(text) as object) });
    expect(readDocumentId(bad)).toMatch(/^file_/);
    expect(readDocumentId(text)).toBe(readDocumentId(text));
    expect(readDocumentId(text)).not.toBe(readDocumentId(text.replace('"version": 3', '"version": 2')));
  });
});

// Server-rendered like tests/unit/run-rows.test.ts (no DOM library): the history stays whole and
// marks the runs a Save of the open project leaves out.
describe('the Runs tab marks the runs a Save leaves out', () => {
  let server: ViteDevServer;
  beforeAll(async () => {
    server = await createServer({ configFile: false, root: process.cwd(), plugins: [vue()], server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom', logLevel: 'error' });
  });
  afterAll(() => server?.close());
  const rows = [
    toRunRow({ ...record('mine'), project: 'doc_a' }, { colorIndex: 0, stale: false, resumable: false }),
    toRunRow({ ...record('theirs'), project: 'doc_b' }, { colorIndex: 1, stale: false, resumable: false }),
    toRunRow(record('legacy'), { colorIndex: 2, stale: false, resumable: false }),
  ];
  const render = async (props: Record<string, unknown>) => {
    const c = ((await server.ssrLoadModule('/renderer/src/components/RunHistory.vue')) as { default: Component }).default;
    return renderToString(createSSRApp({ render: () => h(c, props) }));
  };

  it('lists every project\'s runs, tags the others and offers to add them', async () => {
    const html = await render({ runs: rows, selectedId: null, overlayIds: [], documentId: 'doc_a' });
    expect(html.split('data-testid="run-row"').length - 1).toBe(3);
    expect(html).toContain('data-run-id="mine" data-state="done" data-in-project="true"');
    expect(html).toContain('data-run-id="theirs" data-state="done" data-in-project="false"');
    expect(html).toMatch(/data-testid="run-elsewhere"[^>]*>other project</);
    expect(html).toMatch(/data-testid="run-elsewhere"[^>]*>no project</);
    expect(html.split('data-testid="run-claim"').length - 1).toBe(2);
    expect(html).toMatch(/data-testid="run-history-in-project" data-value="1"[^>]*>· 1 in this project</);
  });

  it('marks nothing without the open document (or when every run is its own)', async () => {
    for (const props of [{ runs: rows }, { runs: rows.slice(0, 1), documentId: 'doc_a' }]) {
      const html = await render({ selectedId: null, overlayIds: [], ...props });
      expect(html).not.toContain('run-elsewhere');
      expect(html).not.toContain('run-claim');
      expect(html).not.toContain('run-history-in-project');
    }
  });
});
