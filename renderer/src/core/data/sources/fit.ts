// Do the network and the data agree? Checked before training, so a mismatch is an error on the
// block that must change, with the one edit that fixes it, instead of a broadcast error mid-run.
import { analyze } from '../../graph/analyze';
import type { Graph } from '../../graph/types';

export interface DataShape {
  height: number;
  width: number;
  channels: number;
  classes: number;
}

export interface FitIssue {
  blockId: string;
  /** The graph's issue codes (core/graph/types.ts); a reconstruction head of the wrong size is a 'shape' issue. */
  code: 'data-channels' | 'data-too-small' | 'data-classes' | 'data-vector-input' | 'shape';
  message: string;
  /** The edit that fixes it: set these parameters of the block. */
  fix: { label: string; params: Record<string, number | string> };
}

/** Mismatches between `graph` and a dataset of `data`'s shape; empty when they agree. */
export function checkDataFit(graph: Graph, data: DataShape): FitIssue[] {
  const issues: FitIssue[] = [];
  const analysis = analyze(graph);
  // Shapes from the analysis: a parameter left out of a block takes the catalog default.
  const shapeOf = (id: string) => analysis.blocks[id]?.shape;
  const input = graph.blocks.find((b) => b.type === 'Input');
  const inShape = input ? shapeOf(input.id) : undefined;
  if (input && inShape) {
    const imageFix = { label: `use ${data.height}×${data.width}×${data.channels} images`, params: { kind: 'image', height: data.height, width: data.width, channels: data.channels } };
    if (inShape.length !== 3) {
      issues.push({ blockId: input.id, code: 'data-vector-input', message: `the Input block takes vectors, the data are ${data.height}×${data.width}×${data.channels} images`, fix: imageFix });
    } else {
      const [h, w, c] = inShape;
      if (c !== data.channels) {
        issues.push({ blockId: input.id, code: 'data-channels', message: `the Input block expects ${c} channel(s), the data have ${data.channels}`, fix: { label: `set channels to ${data.channels}`, params: { channels: data.channels } } });
      }
      if (h > data.height || w > data.width) {
        issues.push({
          blockId: input.id, code: 'data-too-small',
          message: `the images (${data.height}×${data.width}) are smaller than the Input block (${h}×${w})`,
          fix: { label: `set the size to ${data.height}×${data.width}`, params: { height: Math.min(h, data.height), width: Math.min(w, data.width) } },
        });
      }
    }
  }
  // The head that reaches the output: the last output block in data-flow order.
  const order = analysis.order;
  const heads = graph.blocks.filter((b) => b.type === 'Classifier' || b.type === 'Reconstruction');
  heads.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const head = heads[heads.length - 1];
  if (head?.type === 'Reconstruction') {
    // An autoencoder's head reproduces the input: its shape must be the Input's, in the data's channels (no class count).
    const out = shapeOf(head.id);
    if (out && out.length === 3) {
      if (out[2] !== data.channels) {
        issues.push({
          blockId: head.id, code: 'data-channels',
          message: `the reconstruction has ${out[2]} channel(s), the data have ${data.channels}`,
          fix: { label: `set channels to ${data.channels}`, params: { channels: data.channels } },
        });
      }
      const inHW = inShape?.length === 3 ? inShape.slice(0, 2) : null;
      if (inHW && (out[0] !== inHW[0] || out[1] !== inHW[1])) {
        issues.push({
          blockId: head.id, code: 'shape',
          message: `the reconstruction is ${out[0]}×${out[1]}, the Input block ${inHW[0]}×${inHW[1]}: an autoencoder must give back an image of its input's size`,
          // No parameter of the head changes its size: the blocks before it must (pooling, Upsample2D).
          fix: { label: 'match the sizes with the blocks before it (pooling, Upsample2D)', params: {} },
        });
      }
    }
    return issues;
  }
  const classes = head ? shapeOf(head.id)?.[0] : undefined;
  if (head && classes !== undefined && classes !== data.classes) {
    issues.push({
      blockId: head.id, code: 'data-classes',
      message: `the classifier has ${classes} classes, the data have ${data.classes}`,
      fix: { label: `set classes to ${data.classes}`, params: { classes: data.classes } },
    });
  }
  return issues;
}

/** The graph with every fix applied (a new value; blocks are copied, not mutated). */
export function applyFitFixes(graph: Graph, issues: FitIssue[]): Graph {
  return {
    ...graph,
    blocks: graph.blocks.map((b) => {
      const mine = issues.filter((i) => i.blockId === b.id);
      return mine.length ? { ...b, params: Object.assign({ ...b.params }, ...mine.map((i) => i.fix.params)) } : b;
    }),
  };
}
