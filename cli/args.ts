// Argument parsing on node:util's parseArgs (strict), with its errors turned into one-line
// CliErrors and number flags checked for form; ranges are checked with the training settings.
import { parseArgs } from 'node:util';
import { CliError } from './io';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parse(command: string, argv: string[], flags: FlagSpec): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...flags, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    // parseArgs says e.g. "Unknown option '--foo'. To specify a positional argument starting with a '-', ..."
    const full = (e as Error).message;
    const ambiguous = /Option '(--?[\w-]+)'.*argument is ambiguous/.exec(full);
    const msg = ambiguous
      ? `${ambiguous[1]} needs a value (write ${ambiguous[1]}=-X for a value that starts with "-")`
      : full.split(/\.\s/)[0].replace(/\.$/, '');
    throw new CliError(`${command}: ${msg} (see netwright ${command} --help)`);
  }
}

/** A whole number flag; undefined when absent. */
export function intFlag(command: string, name: string, v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  if (!/^-?\d+$/.test(s)) throw new CliError(`${command}: --${name} needs a whole number, got "${String(v)}"`);
  return Number(s);
}

/** A finite number flag (1e-3, 0.01, ...); undefined when absent. */
export function numberFlag(command: string, name: string, v: string | boolean | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n)) throw new CliError(`${command}: --${name} needs a number, got "${String(v)}"`);
  return n;
}

export function stringFlag(command: string, name: string, v: string | boolean | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new CliError(`${command}: --${name} needs a value`);
  return v;
}
