// Prop and event types shared by the evaluation components (ConfusionMatrix, SampleGallery,
// DrawingPad, EvaluationPanel).

/** One gallery tile: dataset pixels (uint8, h×w×c, c = 1 grey or 3 RGB) and a caption. */
export interface GalleryItem {
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
  caption: string;
  /** Tooltip (defaults to the caption). */
  title?: string;
}

/** Pixels drawn on the pad or read from a dropped image (straight RGBA, row-major). */
export interface DrawnImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}
