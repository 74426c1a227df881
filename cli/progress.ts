// Training progress on stderr: a bar redrawn in place on a terminal, plain lines (at most one every
// few seconds, plus each epoch) when stderr is a file or a pipe.
import type { ErrOut } from './io';

export interface ProgressState {
  epoch: number;
  epochs: number;
  examplesSeen: number;
  totalExamples: number;
  examplesPerSec: number;
  loss: number;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtLoss = (n: number) => (Number.isFinite(n) ? n.toFixed(4) : String(n));

/** The text of one progress update; the bar is `width` cells wide (0 = no bar). */
export function progressText(p: ProgressState, width: number): string {
  const fraction = p.totalExamples > 0 ? Math.min(1, p.examplesSeen / p.totalExamples) : 0;
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  const filled = Math.round(fraction * width);
  const bar = width > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
  return `${bar}${pct} ${fmtInt(p.examplesSeen)}/${fmtInt(p.totalExamples)} examples  ${fmtInt(p.examplesPerSec)} ex/s  loss ${fmtLoss(p.loss)}  epoch ${p.epoch}/${p.epochs}`;
}

export class ProgressReporter {
  private lastLine: number | null = null;
  private drawn = false;

  constructor(
    private readonly err: ErrOut,
    private readonly now: () => number = () => performance.now(),
    /** Plain-line mode: at most one progress line per this many ms. */
    private readonly plainEveryMs = 5000,
  ) {}

  private get tty(): boolean {
    return this.err.isTTY === true;
  }

  /** A message on its own line (clears the bar first on a terminal). */
  line(text: string): void {
    this.clear();
    this.err.write(`${text}\n`);
  }

  progress(p: ProgressState): void {
    if (this.tty) {
      const columns = this.err.columns && this.err.columns > 40 ? this.err.columns : 100;
      let text = progressText(p, 24);
      if (text.length >= columns) text = progressText(p, 0).slice(0, columns - 1);
      this.err.write(`\r${text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const t = this.now();
    const last = p.examplesSeen >= p.totalExamples;
    if (this.lastLine !== null && t - this.lastLine < this.plainEveryMs && !last) return;
    this.lastLine = t;
    this.err.write(`${progressText(p, 0)}\n`);
  }

  /** Ends the in-place bar with a newline, so the next output starts on a fresh line. */
  clear(): void {
    if (this.tty && this.drawn) this.err.write('\r\x1b[K');
    this.drawn = false;
  }
}
