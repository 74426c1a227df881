// Preload: runs sandboxed (no Node), so it imports only `electron` and bundled local constants.
// It exposes one named function per capability; ipcRenderer itself never reaches the page,
// so the page cannot invoke arbitrary channels or listen to any.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CHANNELS, EVENTS } from '../shared/channels';
import { isAppCommand } from '../../renderer/src/host/host';
import type { NetwrightBridge } from './api';

/** Subscribes to one main -> renderer event; returns the unsubscribe function the page gets. */
function subscribe(channel: string, fn: (payload: unknown) => void): () => void {
  const listener = (_event: IpcRendererEvent, payload: unknown) => fn(payload);
  ipcRenderer.on(channel, listener);
  return () => void ipcRenderer.removeListener(channel, listener);
}

/** Main asks, the page's handler answers on CHANNELS.answer with the request's id. */
function answering(channel: string, handler: () => unknown): () => void {
  return subscribe(channel, (id) => {
    if (typeof id !== 'number') return;
    Promise.resolve()
      .then(handler)
      .then(
        (value) => ipcRenderer.invoke(CHANNELS.answer, id, { ok: true, value }),
        (err: unknown) => ipcRenderer.invoke(CHANNELS.answer, id, { ok: false, error: String(err) }),
      )
      .catch(() => undefined); // main gave up waiting (timeout) or the window is going away
  });
}

const bridge: NetwrightBridge = {
  apiVersion: 1,
  openFile: (options) => ipcRenderer.invoke(CHANNELS.openFile, options),
  openFiles: (options) => ipcRenderer.invoke(CHANNELS.openFiles, options),
  saveFile: (request) => ipcRenderer.invoke(CHANNELS.saveFile, request),
  exportFiles: (request) => ipcRenderer.invoke(CHANNELS.exportFiles, request),
  pickDataset: () => ipcRenderer.invoke(CHANNELS.pickDataset),
  pickDatasetFolder: () => ipcRenderer.invoke(CHANNELS.pickDatasetFolder),
  readDatasetFile: (token, path) => ipcRenderer.invoke(CHANNELS.readDatasetFile, token, path),
  confirm: (message) => ipcRenderer.invoke(CHANNELS.confirm, message),
  showError: (title, message) => ipcRenderer.invoke(CHANNELS.showError, title, message),
  loadAutosave: () => ipcRenderer.invoke(CHANNELS.loadAutosave),
  storeAutosave: (text) => ipcRenderer.invoke(CHANNELS.storeAutosave, text),
  onMenuCommand: (listener) =>
    subscribe(EVENTS.menuCommand, (command) => {
      if (isAppCommand(command)) listener(command);
    }),
  onFilesWaiting: (listener) => subscribe(EVENTS.filesWaiting, () => listener()),
  takeGivenFiles: () => ipcRenderer.invoke(CHANNELS.takeGivenFiles),
  openDroppedFile: async (file) => {
    // The path comes from the dropped File itself, never from the page: a page cannot make up a
    // File with a path, so it can only have main read files the user really dropped.
    let path = '';
    try {
      path = webUtils.getPathForFile(file);
    } catch {
      // not a File from the user's disk
    }
    return path ? ipcRenderer.invoke(CHANNELS.openDroppedFile, path) : null;
  },
  onCloseQuery: (handler) => answering(EVENTS.closeQuery, handler),
  onSaveBeforeClose: (handler) => answering(EVENTS.saveBeforeClose, handler),
  editText: (action) => ipcRenderer.invoke(CHANNELS.editText, action),
  showAbout: (info) => ipcRenderer.invoke(CHANNELS.showAbout, info),
  listRecent: () => ipcRenderer.invoke(CHANNELS.listRecent),
  openRecent: (id) => ipcRenderer.invoke(CHANNELS.openRecent, id),
  clearRecent: () => ipcRenderer.invoke(CHANNELS.clearRecent),
};

contextBridge.exposeInMainWorld('netwright', bridge);
