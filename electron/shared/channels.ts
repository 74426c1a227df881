// IPC channel names. Plain constants (no imports at run time) so the sandboxed preload can bundle them.
import type { BridgeInvoke } from '../preload/api';

/** Renderer -> main (ipcRenderer.invoke / ipcMain.handle): one per bridge method that calls main. */
export const CHANNELS = {
  openFile: 'netwright:open-file',
  openFiles: 'netwright:open-files',
  saveFile: 'netwright:save-file',
  exportFiles: 'netwright:export-files',
  pickDataset: 'netwright:pick-dataset',
  pickDatasetFolder: 'netwright:pick-dataset-folder',
  readDatasetFile: 'netwright:read-dataset-file',
  confirm: 'netwright:confirm',
  showError: 'netwright:show-error',
  loadAutosave: 'netwright:load-autosave',
  storeAutosave: 'netwright:store-autosave',
  takeGivenFiles: 'netwright:take-given-files',
  openDroppedFile: 'netwright:open-dropped-file',
  editText: 'netwright:edit-text',
  showAbout: 'netwright:show-about',
  listRecent: 'netwright:list-recent',
  openRecent: 'netwright:open-recent',
  clearRecent: 'netwright:clear-recent',
  /** The renderer's answer to a question main asked (EVENTS.closeQuery, EVENTS.saveBeforeClose). */
  answer: 'netwright:answer',
} as const satisfies Record<BridgeInvoke | 'answer', string>;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** Main -> renderer (webContents.send / ipcRenderer.on). The preload checks every payload. */
export const EVENTS = {
  /** payload: an AppCommand */
  menuCommand: 'netwright:menu-command',
  /** no payload: project files from the OS are waiting (takeGivenFiles) */
  filesWaiting: 'netwright:files-waiting',
  /** payload: request id (number); answered on CHANNELS.answer with a DocumentState */
  closeQuery: 'netwright:close-query',
  /** payload: request id (number); answered on CHANNELS.answer with a boolean (saved) */
  saveBeforeClose: 'netwright:save-before-close',
} as const;
