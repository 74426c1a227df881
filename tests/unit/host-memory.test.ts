import { describe, expect, it } from 'vitest';
import { createMemoryHost } from '../../renderer/src/host/memory';

const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('memory host', () => {
  it('opens scripted files and cancels when nothing is scripted', async () => {
    const host = createMemoryHost({ files: { 'nets/a.netwright.json': '{"a":1}' } });
    expect(host.kind).toBe('memory');
    host.queueOpen('nets/a.netwright.json');
    const file = await host.openFile({ title: 'Open', filters: [{ name: 'Project', extensions: ['json'] }] });
    expect(file).toMatchObject({ name: 'a.netwright.json', path: 'nets/a.netwright.json' });
    expect(text(file!.data)).toBe('{"a":1}');
    expect(await host.openFile({})).toBeNull();
    expect(host.openRequests).toHaveLength(2);
    host.queueOpen('missing.json');
    await expect(host.openFile({})).rejects.toThrow(/no file/);
  });

  it('hands out copies, so callers cannot change its files by accident', async () => {
    const host = createMemoryHost({ files: { 'a.bin': new Uint8Array([1, 2]) } });
    host.queueOpen('a.bin');
    const file = await host.openFile({});
    file!.data[0] = 99;
    expect([...host.files.get('a.bin')!]).toEqual([1, 2]);
    const data = new Uint8Array([5]);
    await host.saveFile({ suggestedName: 'b.bin', data });
    data[0] = 6;
    expect([...host.files.get('b.bin')!]).toEqual([5]);
  });

  it('saves as the suggestion, a scripted name, or not at all; then saves in place', async () => {
    const host = createMemoryHost();
    expect(await host.saveFile({ suggestedName: 'net.netwright.json', data: 'v1' })).toEqual({
      name: 'net.netwright.json',
      path: 'net.netwright.json',
    });
    host.queueSaveAs('other/renamed.netwright.json');
    const saved = await host.saveFile({ suggestedName: 'net.netwright.json', data: 'v2' });
    expect(saved).toEqual({ name: 'renamed.netwright.json', path: 'other/renamed.netwright.json' });
    host.queueSaveAs(null);
    expect(await host.saveFile({ suggestedName: 'x.json', data: 'v3' })).toBeNull();
    // "Save" to the path it returned: no question asked (a queued answer stays unused).
    host.queueSaveAs(null);
    await host.saveFile({ suggestedName: 'ignored.json', data: 'v4', path: saved!.path });
    expect(host.readText('other/renamed.netwright.json')).toBe('v4');
    expect([...host.files.keys()].sort()).toEqual(['net.netwright.json', 'other/renamed.netwright.json']);
  });

  it('exports several files into a folder, or reports the cancel', async () => {
    const host = createMemoryHost();
    const ok = await host.exportFiles({
      suggestedName: 'mnist-net',
      files: [{ name: 'model.json', data: '{}' }, { name: 'weights.bin', data: new Uint8Array(8) }],
    });
    expect(ok).toBe(true);
    expect(host.exports[0].folder).toBe('mnist-net');
    expect([...host.exports[0].files.keys()]).toEqual(['model.json', 'weights.bin']);
    expect(host.files.get('mnist-net/weights.bin')?.byteLength).toBe(8);
    host.queueSaveAs(null);
    expect(await host.exportFiles({ suggestedName: 'x', files: [] })).toBe(false);
  });

  it('picks dataset files from its files or given ones', async () => {
    const host = createMemoryHost({ files: { 'd/labels': new Uint8Array([1]) } });
    expect(await host.pickDataset()).toBeNull();
    host.queueDataset(['d/labels', { name: 'images', data: new Uint8Array([2, 3]) }]);
    const files = await host.pickDataset();
    expect(files?.map((f) => [f.name, f.data.byteLength])).toEqual([['labels', 1], ['images', 2]]);
  });

  it('answers confirms from its script, then the default, and records errors', async () => {
    const host = createMemoryHost({ defaultConfirm: false });
    host.queueConfirm(true);
    expect(await host.confirm('Discard?')).toBe(true);
    expect(await host.confirm('Really?')).toBe(false);
    expect(host.confirmations).toEqual(['Discard?', 'Really?']);
    await host.showError('Load failed', 'bad JSON');
    expect(host.errors).toEqual([{ title: 'Load failed', message: 'bad JSON' }]);
  });

  it('keeps the autosave and counts writes', async () => {
    const host = createMemoryHost({ autosave: 'old' });
    expect(await host.loadAutosave()).toBe('old');
    await host.storeAutosave('new');
    expect(await host.loadAutosave()).toBe('new');
    expect(host.autosaveWrites).toBe(1);
    expect(createMemoryHost().mnistBaseUrl()).toMatch(/\/data\/mnist\/$/);
  });
});
