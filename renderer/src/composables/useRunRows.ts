// The run history's rows, derived from the runs store and the canvas (for staleness).
import { computed, type ComputedRef } from 'vue';
import { sameNetwork } from '../core/runs/reduce';
import { toRunRow, type RunRow } from '../components/runRows';
import { useGraphStore } from '../stores/graph';
import { useRunsStore } from '../stores/runs';

export function useRunRows(): ComputedRef<RunRow[]> {
  const runs = useRunsStore();
  const graph = useGraphStore();
  return computed(() => {
    const n = runs.records.length;
    // Colours follow creation order (records are newest first), so a run keeps its colour.
    return runs.records.map((r, i) =>
      toRunRow(r, { colorIndex: n - 1 - i, stale: !sameNetwork(r.graph, graph.graph), resumable: runs.resumable.has(r.id) && r.state === 'interrupted' }),
    );
  });
}
