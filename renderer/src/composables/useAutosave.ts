// Debounced autosave: any graph edit or settings change writes the project through the Host
// shortly after the user pauses, so a crash or reload loses at most a second of work.
import { onBeforeUnmount, watch } from 'vue';
import { useGraphStore } from '../stores/graph';
import { useProjectStore } from '../stores/project';
import { useTrainingStore } from '../stores/training';

export function useAutosave(delayMs = 800): void {
  const graph = useGraphStore();
  const training = useTrainingStore();
  const project = useProjectStore();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    project.autosave().catch((e: unknown) => console.warn('Autosave failed', e));
  };

  watch([() => graph.revision, () => training.config], () => {
    clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  });

  const onHide = () => {
    if (timer !== undefined) flush();
  };
  window.addEventListener('pagehide', onHide);
  onBeforeUnmount(() => {
    window.removeEventListener('pagehide', onHide);
    onHide();
  });
}
