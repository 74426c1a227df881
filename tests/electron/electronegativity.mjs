#!/usr/bin/env node
// Static security audit of the Electron code with @doyensec/electronegativity, failing on findings.
//   node tests/electron/electronegativity.mjs [--report out.sarif] [--source electron] [DIR ...]
// Defaults: electron/ (the sources) and out/main/ (the built main, when it exists).
//
// The tool exits 0 even when it finds something (its issue #108), so this reads its SARIF report.
// Exceptions are justified where they occur, with the tool's `// eng-disable RULE` comment in the
// source and a unit test of the real protection. The bundler strips those comments from the built
// main, so a finding there is accepted only when the same statement carries the same rule's
// eng-disable comment in the sources; anything else fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Electron version to assume (offline it cannot fetch the releases list): from node_modules or package.json. */
export function electronVersion(root = repo) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  } catch {
    const range = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.electron;
    return range.replace(/^[^\d]*/, '');
  }
}

/** `// eng-disable A B` (or /* … *\/) on a line of code: the rules it names and the code before it. */
export function parseDirective(line) {
  const m = /^(.*?)(?:\/\/|\/\*)[ \t]*eng-disable[ \t]+([\w \t]+)/.exec(line);
  if (!m) return null;
  return { code: normalizeCode(m[1]), rules: m[2].trim().split(/[\s,]+/).map((r) => r.toUpperCase()) };
}

/** Code compared without whitespace, with one kind of quote and no trailing semicolon. */
export function normalizeCode(code) {
  return code.replace(/\s+/g, '').replace(/["'`]/g, "'").replace(/;$/, '');
}

/** A finding's rule and the atomic check whose eng-disable also covers it (X_GLOBAL_CHECK <- X_JS_CHECK). */
function rulesCovering(ruleId) {
  return [ruleId, ruleId.replace(/_GLOBAL_CHECK$/, '_JS_CHECK')];
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* sourceFiles(full);
    else if (/\.(ts|js|mjs|cjs)$/.test(name)) yield full;
  }
}

/** Every eng-disable directive in the sources. */
export function collectDirectives(sourceDir) {
  const out = [];
  for (const file of sourceFiles(sourceDir)) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const d = parseDirective(line);
      if (d) out.push({ ...d, file, line: i + 1 });
    });
  }
  return out;
}

/**
 * Splits SARIF results into accepted (a finding in a built file whose statement is eng-disabled for
 * that rule in the sources) and failures (everything else).
 */
export function judge(results, directives, builtDirs) {
  const failures = [];
  const accepted = [];
  for (const r of results) {
    const loc = r.locations?.[0]?.physicalLocation;
    const uri = loc?.artifactLocation?.uri ?? '';
    const file = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
    const inBuilt = builtDirs.some((d) => file.startsWith(resolve(d) + '/'));
    let excuse = null;
    if (inBuilt && loc?.region?.startLine && existsSync(file)) {
      const code = normalizeCode(readFileSync(file, 'utf8').split('\n')[loc.region.startLine - 1] ?? '');
      excuse = directives.find((d) => d.code && code.startsWith(d.code) && rulesCovering(r.ruleId).some((rule) => d.rules.includes(rule)));
    }
    const where = `${relative(repo, file) || file}:${loc?.region?.startLine ?? 0}`;
    if (excuse) accepted.push({ rule: r.ruleId, where, source: `${relative(repo, excuse.file)}:${excuse.line}` });
    else failures.push({ rule: r.ruleId, where, message: r.message?.text ?? '' });
  }
  return { accepted, failures };
}

function findTool() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@doyensec/electronegativity/package.json');
  return join(dirname(pkg), 'dist', 'index.js');
}

/** Runs the tool over `dir`; returns its SARIF results. */
export function scan(dir, version, reportPath) {
  const run = spawnSync(process.execPath, [findTool(), '-i', dir, '-e', version, '-o', reportPath, '-v', 'false'], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (!existsSync(reportPath)) {
    throw new Error(`electronegativity wrote no report for ${dir} (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  const sarif = JSON.parse(readFileSync(reportPath, 'utf8'));
  return sarif.runs.flatMap((r) => r.results ?? []);
}

function main(argv) {
  const args = [...argv];
  let report = null;
  let source = join(repo, 'electron');
  const dirs = [];
  while (args.length) {
    const a = args.shift();
    if (a === '--report') report = resolve(args.shift());
    else if (a === '--source') source = resolve(args.shift());
    else dirs.push(resolve(a));
  }
  if (dirs.length === 0) {
    dirs.push(join(repo, 'electron'));
    if (existsSync(join(repo, 'out', 'main'))) dirs.push(join(repo, 'out', 'main'));
    else console.log('electronegativity: out/main is not built (electron-vite build); auditing the sources only');
  }
  const version = electronVersion();
  const tmp = mkdtempSync(join(tmpdir(), 'netwright-audit-'));
  const directives = collectDirectives(source);
  const builtDirs = dirs.filter((d) => resolve(d) !== resolve(source));
  let failed = 0;
  try {
    dirs.forEach((dir, i) => {
      const path = i === 0 && report ? report : join(tmp, `report-${i}.sarif`);
      const { accepted, failures } = judge(scan(dir, version, path), directives, builtDirs);
      for (const a of accepted) console.log(`  justified: ${a.rule} at ${a.where} (eng-disable at ${a.source})`);
      for (const f of failures) console.log(`  FINDING: ${f.rule} at ${f.where}: ${f.message}`);
      console.log(`electronegativity (Electron ${version}) on ${relative(repo, dir) || dir}: ${failures.length} finding(s), ${accepted.length} justified in the sources`);
      failed += failures.length;
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (failed) {
    console.log(`electronegativity: ${failed} finding(s). Fix them, or justify one where it occurs with "// eng-disable RULE" and a unit test of the real protection.`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
