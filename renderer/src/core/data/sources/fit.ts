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
  code: 'data-channels' | 'data-too-small' | 'data-classes' | 'data-vector-input';
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
  // The class count of every head that reaches the output: the last Classifier in data-flow order.
  const order = analysis.order;
  const heads = graph.blocks.filter((b) => b.type === 'Classifier');
  heads.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const head = heads[heads.length - 1];
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
