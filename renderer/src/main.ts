// Renderer entry: theme, Vue Flow styles, Pinia, the Host, then the app.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import '@vue-flow/core/dist/style.css';
import '@vue-flow/core/dist/theme-default.css';
import '@vue-flow/controls/dist/style.css';
import './styles/theme.css';
import App from './App.vue';
import { createHost } from './host';
import { setHost } from './composables/useHost';
import { useGraphStore } from './stores/graph';
import { useTrainingStore } from './stores/training';
import { useProjectStore } from './stores/project';
import { useRunsStore } from './stores/runs';
import { useEvaluationStore } from './stores/evaluation';
import { setDatasetShelf, useDatasetStore } from './stores/dataset';
import { indexedDbRunStorage, setRunStorage } from './host/run-storage';

setHost(createHost());
// Runs and checkpoints survive reloads and crashes in IndexedDB (memory if it is missing).
if (typeof indexedDB !== 'undefined') setRunStorage(indexedDbRunStorage(indexedDB));
const pinia = createPinia();
const app = createApp(App);
app.use(pinia);
app.mount('#app');

// Automated tests (Playwright sets navigator.webdriver) read state through this handle
// instead of scraping charts. Users never get it.
if (navigator.webdriver) {
  (window as unknown as Record<string, unknown>).__netwright = {
    graph: useGraphStore(pinia),
    training: useTrainingStore(pinia),
    project: useProjectStore(pinia),
    runs: useRunsStore(pinia),
    evaluation: useEvaluationStore(pinia),
    dataset: useDatasetStore(pinia),
    /** null keeps imports in memory (the bench compares that with streaming from disk). */
    setDatasetShelf,
  };
}
