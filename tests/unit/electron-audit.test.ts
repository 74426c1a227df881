// The security audit step of `npm test`: electronegativity over electron/ (and the built main),
// failing on any finding that is not justified in the sources with its eng-disable comment.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { collectDirectives, electronVersion, judge, normalizeCode, parseDirective } from '../electron/electronegativity.mjs';

const script = resolve('tests/electron/electronegativity.mjs');
const dir = mkdtempSync(join(tmpdir(), 'netwright-audit-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('electronegativity audit', () => {
  it('reads eng-disable directives and compares statements across the bundler', () => {
    expect(parseDirective("  shell.openExternal(url) // eng-disable OPEN_EXTERNAL_JS_CHECK")).toEqual({ code: 'shell.openExternal(url)', rules: ['OPEN_EXTERNAL_JS_CHECK'] });
    expect(parseDirective('const w = new BrowserWindow({ /* eng-disable SANDBOX_JS_CHECK AUXCLICK_JS_CHECK */')?.rules).toEqual(['SANDBOX_JS_CHECK', 'AUXCLICK_JS_CHECK']);
    expect(parseDirective('// just a comment')).toBeNull();
    expect(normalizeCode(`headers['Content-Security-Policy'] = csp;`)).toBe(normalizeCode(`\t\theaders["Content-Security-Policy"] = csp;`));
  });

  it('accepts a built-file finding only where the source eng-disables that rule on that statement', () => {
    const src = join(dir, 'src');
    const built = join(dir, 'out');
    mkdirSync(src, { recursive: true });
    mkdirSync(built, { recursive: true });
    writeFileSync(join(src, 'a.ts'), "  shell.openExternal(url) // eng-disable OPEN_EXTERNAL_JS_CHECK\n  headers['Content-Security-Policy'] = csp; // eng-disable CSP_GLOBAL_CHECK\n");
    writeFileSync(join(built, 'index.js'), 'x\n\tshell.openExternal(url).catch((e) => log(e));\n\theaders["Content-Security-Policy"] = csp;\n\tshell.openExternal(other);\n');
    const at = (ruleId: string, line: number, file = join(built, 'index.js')) => ({
      ruleId, message: { text: ruleId }, locations: [{ physicalLocation: { artifactLocation: { uri: pathToFileURL(file).href }, region: { startLine: line } } }],
    });
    const directives = collectDirectives(src);
    const { accepted, failures } = judge(
      [at('OPEN_EXTERNAL_JS_CHECK', 2), at('CSP_GLOBAL_CHECK', 3), at('OPEN_EXTERNAL_JS_CHECK', 4), at('SANDBOX_JS_CHECK', 2), at('OPEN_EXTERNAL_JS_CHECK', 1, join(src, 'a.ts')), { ruleId: 'CSP_GLOBAL_CHECK', message: { text: 'no CSP' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'file:///' } } }] }],
      directives,
      [built],
    );
    expect(accepted.map((a) => a.rule)).toEqual(['OPEN_EXTERNAL_JS_CHECK', 'CSP_GLOBAL_CHECK']);
    // Another call, another rule on a justified line, a finding in the sources, a global "N/A": all fail.
    expect(failures.map((f) => f.rule)).toEqual(['OPEN_EXTERNAL_JS_CHECK', 'SANDBOX_JS_CHECK', 'OPEN_EXTERNAL_JS_CHECK', 'CSP_GLOBAL_CHECK']);
  });

  it('passes on the app and fails on an insecure main process', () => {
    expect(electronVersion()).toMatch(/^\d+\.\d+\.\d+/);
    const ok = spawnSync(process.execPath, [script, 'electron'], { encoding: 'utf8' });
    expect(ok.stdout).toMatch(/on electron: 0 finding\(s\)/);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);

    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'main.ts'), [
      "import { BrowserWindow } from 'electron';",
      'export const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });',
      '',
    ].join('\n'));
    const run = spawnSync(process.execPath, [script, '--source', bad, bad], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FINDING: SANDBOX_JS_CHECK/);
    expect(run.stdout).toMatch(/FINDING: CONTEXT_ISOLATION_JS_CHECK/);
  }, 120_000);
});
