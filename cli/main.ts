// The netwright CLI: dispatches to a command, turns every failure into one line on stderr and an
// exit code (never a stack trace). Commands are imported when run, so --help and argument errors
// answer without loading TensorFlow.js.
import { readFileSync } from 'node:fs';
import { DATA_HELP, EVAL_HELP, EXPERIMENT_HELP, EXPORT_HELP, MAIN_HELP, PATCHES_HELP, PREDICT_HELP, TRAIN_HELP } from './help';
import { CliError, EXIT, oneLine, type Io } from './io';

const COMMANDS = {
  train: { help: TRAIN_HELP, load: () => import('./commands/train') },
  eval: { help: EVAL_HELP, load: () => import('./commands/eval') },
  predict: { help: PREDICT_HELP, load: () => import('./commands/predict') },
  data: { help: DATA_HELP, load: () => import('./commands/data') },
  export: { help: EXPORT_HELP, load: () => import('./commands/export') },
  patches: { help: PATCHES_HELP, load: () => import('./commands/patches') },
  experiment: { help: EXPERIMENT_HELP, load: () => import('./commands/experiment') },
} as const;

type CommandName = keyof typeof COMMANDS;
const isCommand = (s: string): s is CommandName => Object.hasOwn(COMMANDS, s);

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic && isCommand(topic)) io.stdout.write(COMMANDS[topic].help);
    else io.stdout.write(MAIN_HELP);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout.write(`netwright ${version}\n`);
    return EXIT.ok;
  }
  if (!isCommand(first)) {
    io.stderr.write(`netwright: unknown command "${first}" (commands: ${Object.keys(COMMANDS).join(', ')}; see netwright --help)\n`);
    return EXIT.usage;
  }
  const command = COMMANDS[first];
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help);
    return EXIT.ok;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest, io);
  } catch (e) {
    io.stderr.write(`${describeFailure(first, e, io.env)}\n`);
    return e instanceof CliError ? e.code : EXIT.failed;
  }
}

/** One line for any failure; NETWRIGHT_DEBUG=1 adds the stack for bug reports. */
export function describeFailure(command: string, e: unknown, env: Record<string, string | undefined>): string {
  if (e instanceof CliError) return `netwright ${oneLine(e.message)}`;
  const msg = oneLine(e instanceof Error ? e.message : String(e));
  const line = `netwright ${command}: ${msg || 'failed'}`;
  return env.NETWRIGHT_DEBUG && e instanceof Error && e.stack ? `${line}\n${e.stack}` : line;
}
