// "Look inside" the shown run: top-k patches per filter, kernels and activation maximization,
// activation maps for one input, saliency and occlusion. Every view is a worker job (core/jobs/
// visualize.ts) on the run's kept model; results belong to one run id and are dropped on a switch.
// Only the latest job of this store updates the view; "live" re-runs the current view whenever a
// checkpoint of the shown run arrives (the worker holds the training model between batches).
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { imageToModelInput, type RgbaImage } from '../core/data/image-input';
import { analyze } from '../core/graph/analyze';
import { expandUnits } from '../core/graph/units';
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
  /** Re-run the current view at each checkpoint of the shown run (opt-in). */
  const live = ref(false);
  /** Checkpoint refreshes started, for the view's badge and tests. */
  const refreshes = ref(0);
  /** Milliseconds from the last drawn image to its maps (or saliency) in the store. */
  const drawnMs = ref<number | null>(null);

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

  let seq = 0;
  let current: AbortController | null = null;

  /** Runs one job on the shown run; only the latest job's result, progress and error count (a cancel is quiet). */
  async function run<K extends JobResult['kind']>(kind: K, job: Parameters<typeof training.request>[0]): Promise<R<K> | null> {
    const id = runs.selectedId;
    if (!id) {
      error.value = 'Train a run first: Look inside shows the run on the left.';
      return null;
    }
    const mine = ++seq;
    const abort = new AbortController();
    current = abort;
    const latest = () => mine === seq;
    runId.value = id;
    busy.value = true;
    error.value = null;
    progress.value = 0;
    message.value = '';
    try {
      await training.ensureInWorker(id);
      if (abort.signal.aborted) return null;
      const r = await training.request(job, (f, m) => {
        if (!latest()) return;
        progress.value = f;
        message.value = m;
      }, abort.signal);
      if (r.kind !== kind || runId.value !== id || !latest()) return null;
      return r as R<K>;
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      if (latest() && !/cancel/i.test(text)) error.value = text;
      return null;
    } finally {
      if (latest()) {
        busy.value = false;
        current = null;
      }
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

  const single = () => (view.value === 'saliency' ? loadAttribution() : loadActivations());
  let drawing = false;
  let drawQueued = false;

  /**
   * Shows a drawn image (model input pixels). While its job runs, newer drawings only replace the
   * pixels: one more job follows with the latest, so strokes never pile up jobs in the worker.
   */
  async function useDrawn(pixels: Float32Array): Promise<void> {
    drawn.value = pixels;
    if (drawing) {
      drawQueued = true;
      return;
    }
    drawing = true;
    try {
      do {
        drawQueued = false;
        const t0 = performance.now();
        await single();
        drawnMs.value = performance.now() - t0;
      } while (drawQueued && drawn.value);
    } finally {
      drawing = false;
    }
  }

  /** The shown run's model input [H, W, C], or null when its graph has no image input. */
  const inputShape = computed<number[] | null>(() => {
    const g = graph.value;
    if (!g) return null;
    const ex = expandUnits(g);
    const input = ex.blocks.find((b) => b.type === 'Input');
    const shape = input ? analyze(ex).blocks[input.id]?.shape : undefined;
    return shape && shape.length === 3 ? [...shape] : null;
  });

  /** A drawn or dropped picture, prepared MNIST style (crop to the ink, centre by mass, invert paper). */
  async function useImage(img: RgbaImage): Promise<void> {
    const shape = inputShape.value;
    if (!shape) {
      error.value = 'This network does not take an image.';
      return;
    }
    try {
      await useDrawn(imageToModelInput(img, shape, { mnistStyle: true, invert: 'auto' }));
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
  }

  /** Back to the test images (the pad was cleared). */
  function clearDrawn(): void {
    drawn.value = null;
  }

  /** Cancels this view's running job (other jobs, e.g. an evaluation, go on). */
  function cancel(): void {
    current?.abort();
  }

  /** Re-runs the current view on the model as it is now, cancelling a job of ours still running. */
  async function refresh(): Promise<void> {
    cancel();
    refreshes.value++;
    if (view.value === 'patches') await loadPatches(layer.value ?? undefined, patches.value?.k ?? 9);
    else if (view.value === 'filters') await loadFilters();
    else await single();
  }

  // A checkpoint of the shown run (the training store hands every worker message to runs.apply).
  runs.$onAction(({ name, args, after }) => {
    if (name !== 'apply') return;
    const m = args[0] as Parameters<typeof runs.apply>[0];
    if (m.type !== 'checkpoint' || !live.value || m.runId !== runs.selectedId) return;
    after(() => void refresh());
  });

  return {
    view, runId, layer, busy, progress, message, error, patches, filter, kernels, maximized, activations, attribution, imageIndex, drawn, live, refreshes, drawnMs,
    fields, mapLayers, inputShape, loadPatches, loadFilters, maximize, loadActivations, loadAttribution, step, useDrawn, useImage, clearDrawn, cancel, refresh, clear,
  };
});
