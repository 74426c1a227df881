// What a command may touch of its environment: injected, so tests can run main() in process
// with captured output, and the bin wires it to the real process.
export interface Out {
  write(text: string): void;
}

export interface ErrOut extends Out {
  /** True when stderr is a terminal: the progress bar redraws one line; otherwise it prints plain lines. */
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: Out;
  stderr: ErrOut;
  /** Relative paths in arguments resolve against this. */
  cwd: string;
  env: Record<string, string | undefined>;
  /** Calls `fn` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt?: (fn: () => void) => () => void;
  now?: () => number;
}

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/**
 * An error the user can act on, shown as one line. Code 2 (the default) is for bad arguments,
 * invalid networks and broken files; 1 for a run that failed on its own (diverged, no backend).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** One line, whatever the message holds. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
