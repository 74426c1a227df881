// The run history: every run's record (graph snapshot, settings, curves, metrics, weights), which
// one is shown, which are overlaid. Records change only through reduceRun (worker messages) and the
// actions here; each change that matters is written to the run storage (IndexedDB in the app).
// The history is shared by every project opened here; each run names the project document it
// belongs to (core/runs/owner.ts), and the open document's id is kept here so a new run is stamped
// with it wherever it starts (Train, the lab, an imported model). The project store sets it.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { belongsTo, newDocumentId } from '../core/runs/owner';
import type { RunRecord } from '../core/runs/record';
import { reduceRun, sameNetwork } from '../core/runs/reduce';
import type { FromWorker } from '../core/train/protocol';
import { useRunStorage } from '../host/run-storage';
import { useGraphStore } from './graph';

/** Messages after which a record is worth writing (progress is not: 1/s, and checkpoints carry the curves). */
const PERSIST_ON = new Set<FromWorker['type']>(['backend', 'epoch', 'checkpoint', 'paused', 'done', 'error']);

export const useRunsStore = defineStore('runs', () => {
  // State: newest first. shallowRef + whole-record replacement: curves are long arrays.
  const records = shallowRef<RunRecord[]>([]);
  const selectedId = ref<string | null>(null);
  const overlayIds = ref<string[]>([]);
  /** Runs whose latest checkpoint is stored (they can resume after a reload). */
  const resumable = ref<Set<string>>(new Set());
  const loaded = ref(false);
  /** The open project document: runs added now belong to it, and a Save writes its runs. */
  const documentId = ref(newDocumentId());

  // Getters
  const byId = computed(() => new Map(records.value.map((r) => [r.id, r])));
  const selected = computed(() => (selectedId.value ? byId.value.get(selectedId.value) ?? null : null));
  /** The shown run was made with an earlier version of the network on the canvas. */
  const selectedIsStale = computed(() => !!selected.value && !sameNetwork(selected.value.graph, useGraphStore().graph));
  const interrupted = computed(() => records.value.filter((r) => r.state === 'interrupted'));
  /** Ids of the runs that belong to the open document (a Save writes them, once finished). */
  const inProject = computed(() => new Set(records.value.filter((r) => belongsTo(r, documentId.value)).map((r) => r.id)));

  function persist(r: RunRecord): void {
    useRunStorage().put(r).catch((e: unknown) => console.warn(`could not store run ${r.id}:`, e));
  }

  function replace(id: string, f: (r: RunRecord) => RunRecord, write = true): RunRecord | null {
    let out: RunRecord | null = null;
    records.value = records.value.map((r) => {
      if (r.id !== id) return r;
      out = f(r);
      return out;
    });
    if (out && write) persist(out);
    return out;
  }

  // Actions
  /** Reads stored runs; runs that were training when the app went away become 'interrupted'. */
  async function load(): Promise<void> {
    const storage = useRunStorage();
    let stored: RunRecord[] = [];
    try {
      stored = await storage.list();
    } catch (e) {
      console.warn('could not read the run history:', e);
    }
    const canResume = new Set<string>();
    const fixed: RunRecord[] = [];
    for (const r of stored) {
      if (r.state === 'running' || r.state === 'paused') {
        const ckpt = await storage.getCheckpoint(r.id).catch(() => null);
        const next: RunRecord = ckpt
          ? { ...r, state: 'interrupted', epoch: ckpt.epoch, curves: ckpt.curves }
          : { ...r, state: 'error', error: 'The app closed before this run finished its first epoch; no checkpoint was written.' };
        if (ckpt) canResume.add(r.id);
        persist(next);
        fixed.push(next);
      } else {
        if (r.state === 'interrupted') canResume.add(r.id);
        fixed.push(r);
      }
    }
    // Runs started before the history was read stay (the user may have pressed Train at once).
    const known = new Set(records.value.map((r) => r.id));
    records.value = [...records.value, ...fixed.filter((r) => !known.has(r.id))].sort((a, b) => b.createdAt - a.createdAt);
    resumable.value = canResume;
    selectedId.value ??= records.value[0]?.id ?? null;
    loaded.value = true;
  }

  /** Adds a run (the open document's, unless it names its own) and shows it. */
  function add(run: RunRecord): void {
    const r = run.project ? run : { ...run, project: documentId.value };
    records.value = [r, ...records.value.filter((x) => x.id !== r.id)];
    selectedId.value = r.id;
    persist(r);
  }

  /** Makes runs belong to a document (by default the open one: "add to this project"), and stores them. */
  function claim(ids: readonly string[], owner: string = documentId.value): void {
    const wanted = new Set(ids);
    const changed: RunRecord[] = [];
    records.value = records.value.map((r) => {
      if (!wanted.has(r.id) || r.project === owner) return r;
      const next = { ...r, project: owner };
      changed.push(next);
      return next;
    });
    for (const r of changed) persist(r);
  }

  /** Applies a worker message to its run's record. */
  function apply(m: FromWorker): void {
    if (!('runId' in m)) return;
    const r = byId.value.get(m.runId);
    if (!r) return;
    const next = reduceRun(r, m);
    if (next === r) return;
    replace(m.runId, () => next, PERSIST_ON.has(m.type));
    if (m.type === 'checkpoint') {
      resumable.value = new Set(resumable.value).add(m.runId);
      useRunStorage().putCheckpoint(m.runId, m.checkpoint).catch((e: unknown) => console.warn('could not store a checkpoint:', e));
    }
    if (m.type === 'done' || m.type === 'error') {
      const s = new Set(resumable.value);
      s.delete(m.runId);
      resumable.value = s;
      useRunStorage().removeCheckpoint(m.runId).catch(() => {});
    }
  }

  function update(id: string, patch: Partial<RunRecord>): void {
    replace(id, (r) => ({ ...r, ...patch }));
  }

  function rename(id: string, name: string): void {
    const n = name.trim();
    if (n) update(id, { name: n });
  }

  function remove(id: string): void {
    records.value = records.value.filter((r) => r.id !== id);
    overlayIds.value = overlayIds.value.filter((x) => x !== id);
    if (selectedId.value === id) selectedId.value = records.value[0]?.id ?? null;
    useRunStorage().remove(id).catch((e: unknown) => console.warn(`could not delete run ${id}:`, e));
  }

  function select(id: string | null): void {
    selectedId.value = id;
  }

  function toggleOverlay(id: string): void {
    overlayIds.value = overlayIds.value.includes(id) ? overlayIds.value.filter((x) => x !== id) : [...overlayIds.value, id];
  }

  return {
    records, selectedId, overlayIds, resumable, loaded, documentId, byId, selected, selectedIsStale, interrupted, inProject,
    load, add, claim, apply, update, rename, remove, select, toggleOverlay,
  };
});
