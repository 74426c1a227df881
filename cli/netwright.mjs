#!/usr/bin/env node
// The `netwright` bin: registers tsx (TypeScript runs as it is, like the app's sources), then runs
// main() with the real process. Every failure ends as one line on stderr, never a stack trace
// (NETWRIGHT_DEBUG=1 shows it).
import { register } from 'tsx/esm/api';

const fail = (e) => {
  const msg = String(e instanceof Error ? e.message : e).replace(/\s*\n\s*/g, ' ').trim();
  process.stderr.write(`netwright: ${msg || 'failed'}\n`);
  if (process.env.NETWRIGHT_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

const handlers = new Set();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1 || handlers.size === 0) {
    process.stderr.write('\nnetwright: interrupted\n');
    process.exit(130);
  }
  for (const h of handlers) h();
});

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2), {
  stdout: { write: (s) => void process.stdout.write(s) },
  stderr: {
    write: (s) => void process.stderr.write(s),
    get isTTY() {
      return process.stderr.isTTY === true;
    },
    get columns() {
      return process.stderr.columns;
    },
  },
  cwd: process.cwd(),
  env: process.env,
  onInterrupt: (fn) => {
    handlers.add(fn);
    return () => handlers.delete(fn);
  },
});
process.exitCode = code;
