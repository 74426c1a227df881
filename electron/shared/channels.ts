// IPC channel names, one per bridge method. Plain constants (no imports at run time) so the
// sandboxed preload can bundle them.
import type { BridgeMethod } from '../preload/api';

export const CHANNELS = {
  openFile: 'netwright:open-file',
  saveFile: 'netwright:save-file',
  exportFiles: 'netwright:export-files',
  pickDataset: 'netwright:pick-dataset',
  confirm: 'netwright:confirm',
  showError: 'netwright:show-error',
  loadAutosave: 'netwright:load-autosave',
  storeAutosave: 'netwright:store-autosave',
} as const satisfies Record<BridgeMethod, string>;

export type Channel = (typeof CHANNELS)[BridgeMethod];
