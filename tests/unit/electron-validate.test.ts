import { describe, expect, it } from 'vitest';
import {
  IpcValidationError,
  LIMITS,
  PathGrants,
  checkArgCount,
  checkData,
  checkFileName,
  isTrustedSender,
  validateAutosaveText,
  validateConfirm,
  validateExportRequest,
  validateOpenOptions,
  validateSaveRequest,
  validateShowError,
} from '../../electron/main/validate';
import { APP_ORIGIN } from '../../electron/main/protocol';

const bytes = (n: number) => new Uint8Array(n);

describe('file names', () => {
  it('accepts bare names with allowed extensions', () => {
    for (const n of ['net.netwright.json', 'model.json', 'weights.bin', 'model.onnx', 'notes.MD', 'a b (1).png']) {
      expect(checkFileName(n)).toBe(n);
    }
  });
  it('refuses paths, traversal, odd characters and other extensions', () => {
    const bad = ['../x.json', 'a/b.json', 'a\\b.json', '..', '.', '', 'x.exe', 'x', 'x.json ', 'x.json.', ' x.json',
      'CON.json', 'nul.bin', 'a:b.json', 'a\u0000.json', 'a\nb.json', 'a*.json', 'x'.repeat(300) + '.json', 'x.sh'];
    for (const n of bad) expect(() => checkFileName(n), JSON.stringify(n)).toThrow(IpcValidationError);
    expect(() => checkFileName(42)).toThrow(/expected a string, got number/);
    expect(() => checkFileName('x.exe')).toThrow(/extension "\.exe" is not allowed/);
  });
});

describe('data', () => {
  it('accepts bytes and text within the limit', () => {
    expect(checkData('hi', 'd')).toBe('hi');
    expect(checkData(Buffer.from('hi'), 'd')).toBeInstanceOf(Uint8Array);
    expect(() => checkData(bytes(11), 'd', 10)).toThrow(/too large/);
    expect(() => checkData('é'.repeat(6), 'd', 10)).toThrow(/too large/); // 12 bytes of UTF-8
    expect(checkData('é'.repeat(5), 'd', 10)).toHaveLength(5);
  });
  it('refuses everything else', () => {
    for (const x of [null, undefined, 1, {}, [1, 2], new ArrayBuffer(2), new Float32Array(2)]) {
      expect(() => checkData(x, 'd')).toThrow(IpcValidationError);
    }
  });
});

describe('open options', () => {
  it('accepts title and bare-extension filters', () => {
    expect(validateOpenOptions(undefined)).toEqual({ filters: [] });
    expect(validateOpenOptions({ title: 'Open', filters: [{ name: 'Project', extensions: ['json', '*'] }] })).toEqual({
      title: 'Open',
      filters: [{ name: 'Project', extensions: ['json', '*'] }],
    });
  });
  it('refuses unknown fields, dotted or odd extensions and too many filters', () => {
    expect(() => validateOpenOptions({ defaultPath: '/etc' })).toThrow(/unexpected field "defaultPath"/);
    expect(() => validateOpenOptions({ filters: [{ name: 'x', extensions: ['.json'] }] })).toThrow(/bare extension/);
    expect(() => validateOpenOptions({ filters: [{ name: 'x', extensions: ['js;rm'] }] })).toThrow(/bare extension/);
    expect(() => validateOpenOptions({ filters: [{ name: 'x', extensions: [] }] })).toThrow(/non-empty/);
    expect(() => validateOpenOptions({ filters: 'json' })).toThrow(/expected an array/);
    const many = Array.from({ length: LIMITS.maxFilters + 1 }, () => ({ name: 'x', extensions: ['json'] }));
    expect(() => validateOpenOptions({ filters: many })).toThrow(/more than/);
    expect(() => validateOpenOptions([])).toThrow(/expected an object/);
  });
});

describe('save requests', () => {
  it('accepts a well-formed request and keeps the path for the grant check', () => {
    const req = validateSaveRequest({ suggestedName: 'net.netwright.json', data: '{}', path: '/home/u/net.netwright.json' });
    expect(req).toEqual({ suggestedName: 'net.netwright.json', data: '{}', filters: [], path: '/home/u/net.netwright.json' });
  });
  it('refuses bad names, data, paths and extra fields', () => {
    expect(() => validateSaveRequest({ suggestedName: '../../.bashrc', data: '' })).toThrow(/suggestedName/);
    expect(() => validateSaveRequest({ suggestedName: 'a.json', data: 5 })).toThrow(/data/);
    expect(() => validateSaveRequest({ suggestedName: 'a.json', data: '', path: 7 })).toThrow(/path/);
    expect(() => validateSaveRequest({ suggestedName: 'a.json', data: '', path: 'a\0b' })).toThrow(/NUL/);
    expect(() => validateSaveRequest({ suggestedName: 'a.json', data: '', mode: 0o777 })).toThrow(/unexpected field/);
    expect(() => validateSaveRequest(null)).toThrow(/expected an object/);
  });
});

describe('export requests', () => {
  const files = [{ name: 'model.json', data: '{}' }, { name: 'weights.bin', data: bytes(8) }];
  it('accepts a folder name and bare file names', () => {
    const req = validateExportRequest({ suggestedName: 'mnist-net', files });
    expect(req.suggestedName).toBe('mnist-net');
    expect(req.files.map((f) => f.name)).toEqual(['model.json', 'weights.bin']);
  });
  it('refuses traversal, duplicates (any case), empty and oversized exports', () => {
    expect(() => validateExportRequest({ suggestedName: '../up', files })).toThrow(/suggestedName/);
    expect(() => validateExportRequest({ suggestedName: 'x', files: [{ name: '../model.json', data: '' }] })).toThrow(/files\[0\]\.name/);
    expect(() => validateExportRequest({ suggestedName: 'x', files: [...files, { name: 'MODEL.json', data: '' }] })).toThrow(/twice/);
    expect(() => validateExportRequest({ suggestedName: 'x', files: [] })).toThrow(/non-empty/);
    const many = Array.from({ length: LIMITS.maxExportFiles + 1 }, (_, i) => ({ name: `f${i}.bin`, data: '' }));
    expect(() => validateExportRequest({ suggestedName: 'x', files: many })).toThrow(/more than/);
  });
});

describe('dialog texts and autosave', () => {
  it('checks types and lengths', () => {
    expect(validateConfirm('Discard changes?')).toBe('Discard changes?');
    expect(() => validateConfirm('')).toThrow(/empty/);
    expect(() => validateConfirm({ toString: () => 'x' })).toThrow(/expected a string/);
    expect(() => validateConfirm('x'.repeat(LIMITS.maxMessageLength + 1))).toThrow(/longer than/);
    expect(validateShowError('Load failed', '')).toEqual({ title: 'Load failed', message: '' });
    expect(() => validateShowError(undefined, 'x')).toThrow(/title/);
    expect(validateAutosaveText('')).toBe('');
    expect(() => validateAutosaveText(null)).toThrow(/autosave text/);
  });
  it('refuses extra arguments', () => {
    expect(() => checkArgCount([1, 2], 1, 'netwright:confirm')).toThrow(/at most 1 argument/);
    expect(() => checkArgCount([], 0, 'netwright:load-autosave')).not.toThrow();
  });
});

describe('sender check and path grants', () => {
  const origins = [APP_ORIGIN, 'http://localhost:5173'];
  it('trusts only the app origin in the top frame', () => {
    expect(isTrustedSender('app://netwright/index.html', true, origins)).toBe(true);
    expect(isTrustedSender('http://localhost:5173/', true, origins)).toBe(true);
    expect(isTrustedSender('app://netwright/index.html', false, origins)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true, origins)).toBe(false);
    expect(isTrustedSender('file:///x/index.html', true, origins)).toBe(false);
    expect(isTrustedSender(undefined, true, origins)).toBe(false);
    expect(isTrustedSender('http://localhost:5173/', true, [APP_ORIGIN])).toBe(false);
  });
  it('grants only paths chosen in a dialog, compared after normalisation', () => {
    const grants = new PathGrants();
    grants.grant('/home/u/nets/a.netwright.json');
    expect(grants.has('/home/u/nets/a.netwright.json')).toBe(true);
    expect(grants.has('/home/u/nets/../nets/a.netwright.json')).toBe(true);
    expect(grants.has('/home/u/.bashrc')).toBe(false);
  });
});
