// "Look inside" the shown run: top-k patches per filter, kernels and activation maximization,
// activation maps for one input, saliency and occlusion. Every view is a worker job (core/jobs/
// visualize.ts) on the run's kept model; results belong to one run id and are dropped on a switch.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { JobResult } from '../core/train/protocol';
import { receptiveFields, type Field } from '../core/viz/receptive';
import type { VizInput } from '../core/viz/types';
import { useRunsStore } from './runs';
import { useTrainingStore } from './training';

export type InsideView = 'patches' | 'filters' | 'activations' | 'saliency';
type R<K extends JobResult['kind']> = Extract<JobResult, { kind: K }>;

export const useInsideStore = defineStore('inside', () => {
  const runs = useRunsStore();
  const training = useTrainingStore();
  const view = ref<InsideView>('patches');
  const runId = ref<string | null>(null);
  const layer = ref<string | null>(null);
  const busy = ref(false);
  const progress = ref(0);
  const message = ref('');
  const error = ref<string | null>(null);
  const patches = shallowRef<R<'viz-patches'> | null>(null);
  const filter = ref(0);
  const kernels = shallowRef<R<'viz-filters'> | null>(null);
  const maximized = shallowRef<R<'viz-maximize'> | null>(null);
  const activations = shallowRef<R<'viz-activations'> | null>(null);
  const attribution = shallowRef<R<'viz-attribution'> | null>(null);
  /** The test image the single-input views show, or null for a drawn one. */
  const imageIndex = ref(0);
  const drawn = shallowRef<Float32Array | null>(null);

  const graph = computed(() => (runs.selectedId ? runs.byId.get(runs.selectedId)?.graph ?? null : null));
  const fields = computed<Map<string, Field>>(() => (graph.value ? receptiveFields(graph.value) : new Map()));
  /** Blocks with feature maps (patches and maximization need them), in graph order. */
  const mapLayers = computed(() => (graph.value?.blocks ?? []).filter((b) => fields.value.get(b.id) && !fields.value.get(b.id)?.global && b.type !== 'Input').map((b) => ({ id: b.id, type: b.type })));

  function clear(): void {
    patches.value = null;
    kernels.value = null;
    maximized.value = null;
    activations.value = null;
    attribution.value = null;
    error.value = null;
    progress.value = 0;
  }

  watch(() => runs.selectedId, (id) => {
    if (id !== runId.value) {
      runId.value = id;
      clear();
      layer.value = null;
    }
  });

  /** Runs one job on the shown run; the latest result wins, errors are shown (a cancel quietly). */
  async function run<K extends JobResult['kind']>(kind: K, job: Parameters<typeof training.request>[0]): Promise<R<K> | null> {
    const id = runs.selectedId;
    if (!id) {
      error.value = 'Train a run first: Look inside shows the run on the left.';
      return null;
    }
    runId.value = id;
    busy.value = true;
    error.value = null;
    progress.value = 0;
    message.value = '';
    try {
      await training.ensureInWorker(id);
      const r = await training.request(job, (f, m) => {
        progress.value = f;
        message.value = m;
      });
      if (r.kind !== kind || runId.value !== id) return null;
      return r as R<K>;
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      if (!/cancel/i.test(text)) error.value = text;
      return null;
    } finally {
      busy.value = false;
    }
  }

  const rid = () => runs.selectedId ?? '';

  async function loadPatches(id?: string, k = 9): Promise<void> {
    const target = id ?? layer.value ?? mapLayers.value[0]?.id;
    if (!target) return;
    layer.value = target;
    const r = await run('viz-patches', { type: 'viz-patches', runId: rid(), layer: target, k });
    if (r) {
      patches.value = r;
      filter.value = 0;
    }
  }

  async function loadFilters(): Promise<void> {
    const r = await run('viz-filters', { type: 'viz-filters', runId: rid() });
    if (r) kernels.value = r;
  }

  async function maximize(id?: string, steps = 64): Promise<void> {
    const target = id ?? layer.value ?? mapLayers.value[0]?.id;
    if (!target) return;
    const r = await run('viz-maximize', { type: 'viz-maximize', runId: rid(), layer: target, steps });
    if (r) maximized.value = r;
  }

  const input = (): VizInput => (drawn.value ? { pixels: drawn.value } : { split: 'test', index: imageIndex.value });

  async function loadActivations(): Promise<void> {
    const r = await run('viz-activations', { type: 'viz-activations', runId: rid(), input: input() });
    if (r) activations.value = r;
  }

  async function loadAttribution(): Promise<void> {
    const r = await run('viz-attribution', { type: 'viz-attribution', runId: rid(), input: input() });
    if (r) attribution.value = r;
  }

  /** Steps through test images (a drawn image is left for the test set). */
  async function step(delta: number): Promise<void> {
    drawn.value = null;
    imageIndex.value = Math.max(0, imageIndex.value + delta);
    await (view.value === 'saliency' ? loadAttribution() : loadActivations());
  }

  async function useDrawn(pixels: Float32Array): Promise<void> {
    drawn.value = pixels;
    await (view.value === 'saliency' ? loadAttribution() : loadActivations());
  }

  function cancel(): void {
    training.cancelJobs();
  }

  return {
    view, runId, layer, busy, progress, message, error, patches, filter, kernels, maximized, activations, attribution, imageIndex, drawn,
    fields, mapLayers, loadPatches, loadFilters, maximize, loadActivations, loadAttribution, step, useDrawn, cancel, clear,
  };
});
