// The installers' configuration (electron-builder.json). Building needs Electron's binary, which
// cannot be downloaded here, so the configuration is checked instead: electron-builder's own schema,
// the targets per platform, the file association the main process handles, the icon, and that
// the packaged files hold the built app with MNIST.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { projectPathsFromArgv } from '../../electron/main/os-files';

const config = JSON.parse(readFileSync('electron-builder.json', 'utf8'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

describe('electron-builder configuration', () => {
  it("matches electron-builder's schema", async () => {
    const require = createRequire(import.meta.url);
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: object, log: { isEnabled: boolean; add(): void }): Promise<void>;
    };
    const { $schema: _schema, ...rest } = config;
    await expect(validateConfiguration(rest, { isEnabled: false, add: () => undefined })).resolves.toBeUndefined();
  });

  it('builds AppImage + deb on Linux, dmg on macOS, nsis on Windows', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.productName).toBe('Netwright');
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
  });

  it('associates .netwright.json files, which the app opens from its arguments', () => {
    const assoc = config.fileAssociations.find((a: { ext: string }) => a.ext === 'netwright.json');
    expect(assoc).toMatchObject({ name: 'Netwright project', role: 'Editor' });
    expect(assoc.mimeType).toMatch(/^application\//); // Linux needs one
    // What Windows and Linux run on a double-click: the executable with the file's path.
    expect(projectPathsFromArgv(['/opt/Netwright/netwright', '/home/u/My net.netwright.json'], '/', { defaultApp: false }))
      .toEqual(['/home/u/My net.netwright.json']);
  });

  it('has a square icon big enough for every platform', () => {
    for (const icon of [config.icon, ...config.fileAssociations.map((a: { icon: string }) => a.icon)]) {
      expect(existsSync(icon), icon).toBe(true);
      const png = PNG.sync.read(readFileSync(icon));
      expect(png.width).toBeGreaterThanOrEqual(512);
      expect(png.height).toBe(png.width);
    }
  });

  it('packages the built app (main, preload, renderer with MNIST and the templates), not the sources', () => {
    expect(config.files).toContain('out/**/*');
    expect(config.files).toContain('!node_modules/**/*'); // main and preload are bundled; the renderer too
    expect(config.files.some((f: string) => /^(renderer|electron)\//.test(f))).toBe(false);
    expect(pkg.main).toBe('out/main/index.js');
    // MNIST is copied into out/renderer/data/mnist by the build (templates are in the renderer's code).
    expect(readFileSync('scripts/vite-assets.ts', 'utf8')).toMatch(/data\/mnist/);
    expect(readFileSync('renderer/src/core/graph/templates.ts', 'utf8')).toMatch(/export const TEMPLATES/);
  });

  it('has npm run dist, building the app first for the current platform', () => {
    expect(pkg.scripts.dist).toMatch(/^electron-vite build && electron-builder\b/);
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(config.directories.output).toBe('dist'); // ignored by git
  });
});
