// What the "look inside" worker jobs answer (plain, structured-clone safe data). The protocol's
// JobResult members carry these; core/jobs/visualize.ts builds them.
import type { Hit } from './patches';
import type { KernelData, LayerMap, Occlusion } from './probe';
import type { Field, Rect } from './receptive';

/** A single-image view's input: a dataset image by index, or pixels laid out as the model input. */
export type VizInput = { split: 'test' | 'train'; index: number } | { pixels: Float32Array };

/** A top-k hit with its receptive field in model-input pixels (not clipped: crops are padded). */
export interface PatchHit extends Hit {
  rect: Rect;
}

export interface PatchesPayload {
  layer: string;
  split: 'test' | 'train';
  /** Images scanned. */
  scanned: number;
  k: number;
  /** Model input [H, W, C] (dataset images are centre-cropped to it by `offset` [dy, dx]). */
  inputShape: [number, number, number];
  offset: [number, number];
  /** The layer's output [H, W, F]. */
  layerShape: [number, number, number];
  field: Field;
  /** hits[f]: filter f's top hits, strongest first. */
  hits: PatchHit[][];
  /** Every patch is ph × pw × C. */
  patch: [number, number];
  /** Filter-major, k slots per filter (unused slots zero): the input under each hit's field, padded with `range[0]`. */
  crops: Float32Array;
  /** Same layout: d(activation)/d(input) inside the field. */
  gradients: Float32Array;
  /** The distinct source images (model input, H·W·C each), by dataset index. */
  sources: { indices: number[]; images: Float32Array };
  /** Smallest and largest input value seen: one shared scale for drawing crops. */
  range: [number, number];
}

export interface ActivationsPayload {
  input: Float32Array;
  inputShape: [number, number, number];
  label: number | null;
  /** Every block's output (Input and Flatten excepted), in graph order, with its block type. */
  layers: (LayerMap & { type: string; field: Field | null })[];
  probabilities: Float32Array;
}

export interface AttributionPayload {
  input: Float32Array;
  inputShape: [number, number, number];
  label: number | null;
  target: number;
  probabilities: Float32Array;
  /** H·W gradient saliency. */
  saliency: Float32Array;
  occlusion: Occlusion;
}

export interface MaximizePayload {
  layer: string;
  filters: number[];
  inputShape: [number, number, number];
  /** One image per filter, n·H·W·C. */
  images: Float32Array;
  /** The mean activation each image reaches. */
  activations: Float32Array;
  /** The same filters' mean activation on a plain mid-grey input, for comparison. */
  baseline: Float32Array;
}

export interface FiltersPayload {
  kernels: KernelData[];
}
