// Which runs belong to which project. The run history (IndexedDB) is one list shared by every project
// the user opens; a project file keeps only its own runs.
//
// A project document has an id: a fresh one when a project starts (the untitled one at launch, New,
// a template, an imported model), the file's when a project file is opened, and it is written into
// the file on Save (a top-level "documentId", an extra field older versions of Netwright ignore).
// The autosave keeps it too, so an untitled project still owns its runs after a reload.
//
// A run belongs to (record.project) the document that was open when it started training, or to the
// document whose file it came from: opening a file claims the runs in it. A Save writes the runs of
// the document being saved (except one still training). Save As forks the document: the new file
// gets a new id and the document's runs follow it, while the old file keeps the runs it holds (they
// are its again when it is opened). A file without an id (the CLI's, or saved before ids existed)
// gets one derived from its text, so opening the same file twice is the same document.
//
// Migration: records stored before runs had an owner have no `project`. They belong to no project:
// they stay in the history, marked, and a Save leaves them out until the user adds one to the open
// project (or opens a project file that holds it). Claiming them for whichever project happens to
// be open would put other projects' runs into its file again, which is the defect this rule ends.
import type { RunRecord } from './record';

export const DOCUMENT_ID_KEY = 'documentId';
const VALID_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const isDocumentId = (v: unknown): v is string => typeof v === 'string' && VALID_ID.test(v);

/** A fresh document id (unique enough across sessions and machines: time plus 64 random bits). */
export function newDocumentId(): string {
  const words = new Uint32Array(2);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(words);
  else for (let i = 0; i < words.length; i++) words[i] = Math.floor(Math.random() * 2 ** 32);
  return `doc_${Date.now().toString(36)}_${Array.from(words, (w) => w.toString(36)).join('')}`;
}

/** Whether the run belongs to the document. */
export const belongsTo = (r: RunRecord, documentId: string): boolean => r.project === documentId;

/** Runs a Save of the document writes: its own, except one training now (kept by the next Save). */
export const keptInProject = (r: RunRecord, documentId: string): boolean => belongsTo(r, documentId) && r.state !== 'running';

/** The record as a project file holds it: the owner is the file's own id, written once at the top. */
export function withoutOwner(r: RunRecord): RunRecord {
  if (r.project === undefined) return r;
  const { project: _owner, ...rest } = r;
  return rest;
}

/** Serialized project text (a JSON object) with the document id as its first field. */
export function writeDocumentId(text: string, documentId: string): string {
  if (!text.startsWith('{') || !isDocumentId(documentId)) throw new Error('writeDocumentId: expected a JSON object and a valid id');
  return `{\n  "${DOCUMENT_ID_KEY}": ${JSON.stringify(documentId)},${text.slice(1)}`;
}

/** 64-bit FNV-1a of the text, in base 36 (two 32-bit lanes with different offsets). */
function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x2f6b1a3d;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 13);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

/**
 * The document id of a project file's text: its "documentId" when it has a valid one, else one
 * derived from the text (the same file opened twice is the same document). Cheap for the files
 * Save writes (the id is their first field); a file rearranged by hand is parsed once more.
 */
export function readDocumentId(text: string): string {
  const head = /^\s*\{\s*"documentId"\s*:\s*"([^"\\]*)"/.exec(text);
  if (head && isDocumentId(head[1])) return head[1];
  if (!head && text.includes(`"${DOCUMENT_ID_KEY}"`)) {
    try {
      const id = (JSON.parse(text) as Record<string, unknown>)[DOCUMENT_ID_KEY];
      if (isDocumentId(id)) return id;
    } catch {
      // parseProject reports a malformed file; here it only has no id.
    }
  }
  return `file_${hashText(text)}`;
}
