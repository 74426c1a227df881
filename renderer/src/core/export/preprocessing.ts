// How an exported model's inputs must be prepared: the run's recorded preprocessing
// (DatasetDescriptor.preprocessing, what training, evaluation and predict applied) or, where none
// was recorded (MNIST, older runs), bytes / 255. One place for every export: the model card, the
// READMEs, model.py's preprocess() and train.py's batches. The numbers are the recorded ones, never
// recomputed, and are written with String(n) (the shortest text that reads back as the same double
// in JavaScript and Python).
import type { ColorMode, Normalization, ResizePolicy } from '../data/sources/types';
import type { RunRecord } from '../runs/record';

export interface ExportPreprocessing {
  /** False: nothing recorded (MNIST or a run from before preprocessing was recorded): bytes / 255. */
  recorded: boolean;
  normalization: Normalization;
  /** The dataset stored bytes (false: floats, see `description`). */
  bytes: boolean;
  /** Multiplies a pixel value in 0..255 units (1/255 by default). */
  scale: number;
  /** The recorded scale, if any (undefined = the default). */
  recordedScale?: number;
  /** Per channel (length `channels`): subtracted after scaling, as the app does (missing = 0). */
  mean: number[];
  /** Per channel (length `channels`): divided by after subtracting (missing or 0 = 1). */
  std: number[];
  channels: number;
  /** True when it is bytes / 255 and nothing else. */
  identity: boolean;
  resize?: ResizePolicy;
  color?: ColorMode;
  /** Image-folder import only: the size images were resized to, [H, W]. */
  size?: [number, number];
  /** One paragraph (Markdown-safe, no line breaks) with the exact numbers. */
  description: string;
}

const num = (n: number): string => String(n);
const list = (v: number[]): string => `[${v.map(num).join(', ')}]`;

function channelNames(channels: number): string {
  if (channels === 1) return 'one grey channel';
  if (channels === 3) return 'channels in R, G, B order';
  return `channels 0 to ${channels - 1} in the order of the imported data`;
}

const RESIZE_WORDS: Record<ResizePolicy, string> = {
  stretch: 'stretched to that size (aspect ratio not kept)',
  crop: 'scaled to cover that size, then centre-cropped',
  pad: 'scaled to fit inside that size, then centred on a black border',
};

const COLOR_WORDS: Record<ColorMode, string> = {
  auto: 'colour mode "auto": grey when every image was grey, else RGB',
  gray: 'colour mode "gray"',
  rgb: 'colour mode "rgb"',
};

/**
 * The preprocessing of a run's inputs. `inputChannels` is the network input's channel count (used
 * when the run recorded no dataset shape).
 */
export function exportPreprocessing(run: RunRecord | undefined, inputChannels: number): ExportPreprocessing {
  const ds = run?.dataset;
  const pre = ds && ds.kind === 'imported' ? ds.preprocessing : undefined;
  const channels = ds && ds.kind === 'imported' ? ds.shape[2] : inputChannels;
  const n = pre?.input;
  // Training multiplies stored bytes by (scale ?? 1/255) and stored floats by (scale ?? 1). A user
  // feeds what they imported: pixel values 0..255 for bytes (and floats with a scale, which are in
  // pixel units), the values themselves for floats without one (a table's 5.1 cm stays 5.1).
  const floatsAsIs = !!n && !n.bytes && n.scale === undefined;
  const scale = n?.scale ?? (floatsAsIs ? 1 : 1 / 255);
  const mean = Array.from({ length: channels }, (_, c) => n?.mean?.[c] ?? 0);
  const std = Array.from({ length: channels }, (_, c) => n?.std?.[c] || 1);
  // identity: bytes / 255 and nothing else (code may then write the short form).
  const identity = !floatsAsIs && Math.abs(scale * 255 - 1) < 1e-9 && mean.every((m) => m === 0) && std.every((s) => s === 1);
  const out: ExportPreprocessing = {
    recorded: !!pre,
    normalization: pre?.normalization ?? 'unit',
    bytes: n?.bytes ?? true,
    scale,
    ...(n?.scale !== undefined ? { recordedScale: n.scale } : {}),
    mean,
    std,
    channels,
    identity,
    ...(pre?.resize ? { resize: pre.resize } : {}),
    ...(pre?.color ? { color: pre.color } : {}),
    ...(pre?.resize && ds?.kind === 'imported' ? { size: [ds.shape[0], ds.shape[1]] as [number, number] } : {}),
    description: '',
  };
  out.description = describe(out, run);
  return out;
}

function describe(p: ExportPreprocessing, run: RunRecord | undefined): string {
  const parts: string[] = [];
  if (!p.recorded) {
    const why = run?.dataset.kind === 'mnist' ? 'MNIST' : run ? 'this run recorded no preprocessing (an older run)' : 'no run was given';
    parts.push(`Inputs are pixel values scaled to [0, 1] (byte / 255), ${channelNames(p.channels)}, as Netwright fed them (${why}): no mean is subtracted and nothing is divided by a standard deviation.`);
    return parts.join(' ');
  }
  if (!p.bytes && p.recordedScale === undefined) {
    // Floating-point data without a scale: the network took the imported values as they are.
    const centred = p.mean.some((m) => m !== 0) || p.std.some((s) => s !== 1);
    parts.push(
      `Inputs are the imported floating-point values as they are (recorded normalization "${p.normalization}"), ${channelNames(p.channels)}` +
        (centred ? `: each value v of channel c becomes (v − mean[c]) / std[c], with mean = ${list(p.mean)} and std = ${list(p.std)}.` : ', unchanged: nothing is scaled, no mean is subtracted and nothing is divided by a standard deviation.'),
    );
    return parts.join(' ');
  }
  const scaleText = p.recordedScale === undefined ? `${num(p.scale)} (1 / 255)` : num(p.scale);
  if (p.identity) {
    parts.push(`Inputs are pixel values scaled to [0, 1] (byte / 255), ${channelNames(p.channels)}, as Netwright trained on them (recorded normalization "${p.normalization}"): no mean is subtracted and nothing is divided by a standard deviation.`);
  } else if (p.mean.every((m) => m === 0) && p.std.every((s) => s === 1)) {
    parts.push(`Inputs are prepared as Netwright trained on them (recorded normalization "${p.normalization}"): each pixel value v (0–255) becomes v × ${scaleText}, ${channelNames(p.channels)}; no mean is subtracted and nothing is divided by a standard deviation.`);
  } else {
    const same = p.mean.every((m) => m === p.mean[0]) && p.std.every((s) => s === p.std[0]);
    parts.push(
      `Inputs are prepared as Netwright trained on them (recorded normalization "${p.normalization}"): each pixel value v (0–255) of channel c becomes (v × ${scaleText} − mean[c]) / std[c]` +
        `, ${channelNames(p.channels)}, with mean = ${list(p.mean)} and std = ${list(p.std)}${same && p.channels > 1 ? ' (the same for every channel)' : ''}.` +
        (p.recordedScale === undefined || Math.abs(p.scale * 255 - 1) < 1e-9 ? ' Equivalently, for x = v / 255 in [0, 1]: (x − mean[c]) / std[c].' : ''),
    );
  }
  if (!p.bytes) parts.push(`The imported data held floating-point values in pixel units (0–255), multiplied by ${num(p.scale)}.`);
  if (p.resize && p.size) {
    parts.push(`The image folder's images were resized to ${p.size[0]}×${p.size[1]} (height × width), ${RESIZE_WORDS[p.resize]}, and ${p.channels === 1 ? 'made grey, round(0.299 R + 0.587 G + 0.114 B)' : p.channels === 3 ? 'kept as RGB (transparent pixels over black)' : `given ${p.channels} channels`}${p.color ? ` (${COLOR_WORDS[p.color]})` : ''}.`);
  }
  return parts.join(' ');
}

/** model.py: the constants and preprocess(), raw pixels → the model's input. */
export function pythonPreprocess(p: ExportPreprocessing, vector: boolean): string {
  const tuple = (v: number[]) => (v.length === 1 ? `(${num(v[0])},)` : `(${v.map(num).join(', ')})`);
  return `# How Netwright prepared this network's inputs (${p.recorded ? `the run's recorded preprocessing, normalization "${p.normalization}"` : 'bytes / 255: MNIST or no recorded preprocessing'}):
# ${!p.bytes && p.recordedScale === undefined ? 'the imported float values v' : 'pixel values v in 0..255'}, then (v * PIXEL_SCALE - MEAN[c]) / STD[c] per channel c (${channelNames(p.channels)}).
PIXEL_SCALE = ${num(p.scale)}
MEAN = ${tuple(p.mean)}
STD = ${tuple(p.std)}


def preprocess(pixels):
    """Raw pixel values (0..255, uint8 or float) -> the model's input, as Netwright trained on them.

    ${vector ? 'pixels: [batch, length] or [length], the image flattened channels last.' : 'pixels: [batch, C, H, W] or [C, H, W] (NCHW, channels first).'} Returns float32.
    """
    x = torch.as_tensor(pixels).to(torch.float32) * PIXEL_SCALE
    mean = torch.tensor(MEAN, dtype=torch.float32)
    std = torch.tensor(STD, dtype=torch.float32)
${vector
    ? '    reps = x.shape[-1] // len(MEAN)\n    return (x - mean.repeat(reps)) / std.repeat(reps)'
    : '    return (x - mean.view(-1, 1, 1)) / std.view(-1, 1, 1)'}
`;
}

/** JavaScript (TF.js) lines that prepare a [batch, ...] tensor of raw pixels `pixels`. */
export function jsPreprocess(p: ExportPreprocessing, vectorLength?: number): string {
  if (p.identity) return 'const x = pixels.div(255); // bytes / 255';
  const reps = vectorLength && p.channels > 1 ? `.tile([${vectorLength / p.channels}])` : '';
  return `const x = pixels.mul(${num(p.scale)}).sub(tf.tensor1d(${list(p.mean)})${reps}).div(tf.tensor1d(${list(p.std)})${reps}); // per channel, channels last`;
}
