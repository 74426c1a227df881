// Preload: runs sandboxed (no Node), so it imports only `electron` and bundled local constants.
// It exposes one named function per capability; ipcRenderer itself never reaches the page,
// so the page cannot invoke arbitrary channels or listen to any.
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS } from '../shared/channels';
import type { NetwrightBridge } from './api';

const bridge: NetwrightBridge = {
  apiVersion: 1,
  openFile: (options) => ipcRenderer.invoke(CHANNELS.openFile, options),
  saveFile: (request) => ipcRenderer.invoke(CHANNELS.saveFile, request),
  exportFiles: (request) => ipcRenderer.invoke(CHANNELS.exportFiles, request),
  pickDataset: () => ipcRenderer.invoke(CHANNELS.pickDataset),
  confirm: (message) => ipcRenderer.invoke(CHANNELS.confirm, message),
  showError: (title, message) => ipcRenderer.invoke(CHANNELS.showError, title, message),
  loadAutosave: () => ipcRenderer.invoke(CHANNELS.loadAutosave),
  storeAutosave: (text) => ipcRenderer.invoke(CHANNELS.storeAutosave, text),
};

contextBridge.exposeInMainWorld('netwright', bridge);
