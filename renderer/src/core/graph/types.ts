// The graph model: plain, JSON-serialisable data. Everything else (shapes, validation,
// compilation, the editor) is derived from it, so there is exactly one copy of the state.

/** Every kind of block the catalog knows. String values are stored in project files: never rename. */
export type BlockType =
  | 'Input'
  | 'Conv2D'
  | 'MaxPool2D'
  | 'AvgPool2D'
  | 'L2Pool2D'
  | 'LocalContrastNorm'
  | 'Dropout'
  | 'Dense'
  | 'Flatten'
  | 'Activation'
  | 'BatchNorm'
  | 'Add'
  | 'Concatenate'
  | 'Classifier'
  | 'Upsample2D'
  | 'Reconstruction';

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

export interface Position {
  x: number;
  y: number;
}

export interface Block {
  id: string;
  type: BlockType;
  /** Values for the block's parameters; missing keys take the catalog default. */
  params: Params;
  position: Position;
  /** Optional user label shown on the block instead of the type name. */
  label?: string;
}

/** A connection from one block's single output to another block's input port. */
export interface Edge {
  id: string;
  source: string;
  target: string;
  /** Input port name on the target; every block has exactly one input port, `in`. */
  targetPort?: 'in';
}

export interface Graph {
  version: 1;
  blocks: Block[];
  edges: Edge[];
  /** Named groups of blocks, optionally repeated (see units.ts); absent in older files. */
  units?: Unit[];
}

/**
 * A named group of blocks with one entry and one exit. `repeat` > 1 means the group runs that many
 * times in a row (expandUnits makes the copies before analysis and compilation); `collapsed` only
 * changes how the editor draws it.
 */
export interface Unit {
  id: string;
  name: string;
  blockIds: string[];
  repeat: number;
  collapsed?: boolean;
}

/**
 * A tensor shape without the batch dimension: [H, W, C] for images, [N] for vectors.
 * Keras conventions (channels last).
 */
export type Shape = number[];

// ---------------------------------------------------------------- catalog

export type ParamKind = 'int' | 'float' | 'enum' | 'bool';

export interface ParamSpec {
  key: string;
  label: string;
  kind: ParamKind;
  default: ParamValue;
  /** Inclusive numeric range for int/float. */
  min?: number;
  max?: number;
  step?: number;
  /** Allowed values for enum. */
  options?: readonly string[];
  help: string;
}

export type BlockCategory = 'Input' | 'Convolution' | 'Pooling' | 'Normalization' | 'Core' | 'Merge' | 'Output';

export interface ShapeResult {
  shape?: Shape;
  /** A message for the block when its inputs cannot be handled (e.g. Dense fed a 3-D tensor). */
  error?: string;
  /** How to fix it, shown under the error (NNC-style fix-it help). */
  hint?: string;
}

export interface BlockDef {
  type: BlockType;
  label: string;
  category: BlockCategory;
  description: string;
  params: readonly ParamSpec[];
  /** How many incoming edges the input port takes: 0 for Input, 1 for most, 'many' for Add/Concatenate. */
  inputs: 0 | 1 | 'many';
  /** Output shape from the (already validated) params and the input shapes, in edge order. */
  shape(params: Params, inputs: Shape[]): ShapeResult;
  /** Parameter count (trainable + non-trainable, as Keras' model.summary() totals them). */
  paramCount(params: Params, inputs: Shape[], output: Shape): number;
  /** Rules that span parameters or go beyond a range (e.g. an odd window); error text or undefined. */
  checkParams?(params: Params): string | undefined;
}

// ---------------------------------------------------------------- analysis

export type Severity = 'error' | 'warning';

export interface Issue {
  /** The block the issue belongs to, or undefined for graph-level issues (no Input, ...). */
  blockId?: string;
  severity: Severity;
  /** Stable machine-readable code, for tests and fix-it actions. */
  code: IssueCode;
  message: string;
  hint?: string;
}

export type IssueCode =
  | 'no-input'
  | 'no-classifier'
  | 'multiple-inputs'
  | 'multiple-classifiers'
  | 'cycle'
  | 'unconnected'
  | 'missing-input'
  | 'too-many-inputs'
  | 'unknown-block'
  | 'bad-param'
  | 'shape'
  | 'unreachable'
  | 'dangling-edge'
  | 'after-output'
  // The network and the chosen dataset disagree (core/data/sources/fit.ts).
  | 'data-channels'
  | 'data-too-small'
  | 'data-classes'
  | 'data-vector-input';

export interface BlockInfo {
  /** Output shape, when it can be computed. */
  shape?: Shape;
  params: number;
}

export interface Analysis {
  /** Per-block derived info, keyed by block id. */
  blocks: Record<string, BlockInfo>;
  issues: Issue[];
  /** Blocks in a topological order (only when the graph has no cycle). */
  order: string[];
  totalParams: number;
  /** True when there are no issues of severity 'error': the graph can be compiled. */
  ok: boolean;
}
