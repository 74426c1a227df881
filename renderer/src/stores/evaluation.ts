// Evaluation of the shown run: the worker's evaluate job, the confusion-matrix cell the user picked
// and its images, the most confident mistakes, and live predictions for a drawn or dropped image.
// Results belong to one run id; showing another run clears them, so nothing is an orphan.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { cellExamples, misclassified } from '../core/eval/metrics';
import { imageToModelInput } from '../core/data/image-input';
import { normalizationOf, normalizeInput, recordedNormalization } from '../core/data/normalize';
import { className } from '../core/eval/metrics';
import { resolveParams } from '../core/graph/catalog';
import type { EvaluationResult } from '../core/train/protocol';
import type { DrawnImage, GalleryItem } from '../components/evalTypes';
import { useDatasetStore } from './dataset';
import { useRunsStore } from './runs';
import { useTrainingStore } from './training';

const GALLERY = 24;

export const useEvaluationStore = defineStore('evaluation', () => {
  const runs = useRunsStore();
  const training = useTrainingStore();
  const runId = ref<string | null>(null);
  const evaluation = shallowRef<EvaluationResult | null>(null);
  const busy = ref(false);
  const progress = ref(0);
  const error = ref<string | null>(null);
  const cell = ref<[number, number] | null>(null);
  const cellItems = shallowRef<GalleryItem[]>([]);
  const mistakes = shallowRef<GalleryItem[]>([]);
  const probabilities = ref<number[] | null>(null);
  let drawSeq = 0;

  /** The shown run's class names: an imported dataset's own, else the digits 0–9 (MNIST). */
  const classNames = computed<string[]>(() => {
    const r = runs.selectedId ? runs.byId.get(runs.selectedId) : null;
    const d = r?.dataset;
    return d?.kind === 'imported' ? d.classes : Array.from({ length: 10 }, (_, i) => String(i));
  });

  /**
   * How the run's training scaled and normalized its data (null: MNIST bytes ÷ 255, nothing more):
   * what the run recorded, else (runs from before it was recorded) the loaded dataset's, if it is the run's.
   */
  function normalizationFor(id: string) {
    const d = runs.byId.get(id)?.dataset;
    const recorded = recordedNormalization(d);
    if (recorded) return recorded;
    const cur = useDatasetStore().current;
    return d?.kind === 'imported' && cur && cur.id === d.id ? normalizationOf(cur.data.train) : null;
  }

  function clear(): void {
    evaluation.value = null;
    cell.value = null;
    cellItems.value = [];
    mistakes.value = [];
    probabilities.value = null;
    error.value = null;
    progress.value = 0;
  }

  // Results are for one run: switching the shown run drops them.
  watch(() => runs.selectedId, (id) => {
    if (id !== runId.value) {
      runId.value = id;
      clear();
    }
  });

  async function gallery(id: string, indices: number[], caption: (i: number) => string): Promise<GalleryItem[]> {
    if (!indices.length) return [];
    const r = await training.request({ type: 'samples', runId: id, split: 'test', indices });
    if (r.kind !== 'samples') return [];
    const size = r.height * r.width * r.channels;
    return indices.map((_, i) => ({
      pixels: r.images.slice(i * size, (i + 1) * size), height: r.height, width: r.width, channels: r.channels, caption: caption(i),
    }));
  }

  /** Evaluates the shown run on the whole test set, or a seeded sample of `sample` images. */
  async function evaluate(sample?: number): Promise<void> {
    const id = runs.selectedId;
    if (!id || busy.value) return;
    runId.value = id;
    clear();
    busy.value = true;
    try {
      await training.ensureInWorker(id);
      const r = await training.request({ type: 'evaluate', runId: id, ...(sample ? { sample, seed: 1 } : {}) }, (f) => (progress.value = f));
      if (r.kind !== 'evaluate' || runId.value !== id) return;
      evaluation.value = r.evaluation;
      const worst = misclassified(r.evaluation, GALLERY);
      const name = (k: number) => className(k, classNames.value);
      mistakes.value = await gallery(id, worst.map((m) => m.index), (i) => `true ${name(worst[i].label)} → ${name(worst[i].predicted)} (${(worst[i].confidence * 100).toFixed(0)}%)`);
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      busy.value = false;
    }
  }

  async function selectCell(t: number, p: number): Promise<void> {
    const ev = evaluation.value;
    const id = runId.value;
    if (!ev || !id) return;
    cell.value = [t, p];
    const idx = cellExamples(ev, t, p, GALLERY);
    const conf = new Map(Array.from(ev.indices, (x, i) => [x, ev.confidence[i]]));
    try {
      cellItems.value = await gallery(id, idx, (i) => `#${idx[i]} · ${((conf.get(idx[i]) ?? NaN) * 100).toFixed(0)}%`);
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
  }

  /**
   * Class probabilities for a drawn or dropped image, latest wins: MNIST-style preprocessing for
   * MNIST runs; for an imported dataset the image is resized only, then scaled and normalized as
   * training fed that dataset.
   */
  async function predictDrawing(img: DrawnImage): Promise<void> {
    const id = runs.selectedId;
    const r = id ? runs.byId.get(id) : null;
    if (!id || !r) return;
    const seq = ++drawSeq;
    try {
      await training.ensureInWorker(id);
      const block = r.graph.blocks.find((b) => b.type === 'Input');
      const p = block ? resolveParams(block) : { height: 28, width: 28, channels: 1 };
      const shape = [Number(p.height), Number(p.width), Number(p.channels)];
      const norm = normalizationFor(id);
      const mnist = r.dataset?.kind !== 'imported';
      const x = normalizeInput(imageToModelInput(img, shape, mnist ? { mnistStyle: true, invert: 'auto' } : {}), shape[2], norm);
      const res = await training.request({ type: 'predict', runId: id, inputs: x, count: 1 });
      if (res.kind === 'predict' && seq === drawSeq) probabilities.value = Array.from(res.probabilities);
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
  }

  return { runId, classNames, evaluation, busy, progress, error, cell, cellItems, mistakes, probabilities, evaluate, selectCell, predictDrawing, clear };
});
