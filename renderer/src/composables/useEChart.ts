// Mounts an ECharts instance on an element and keeps it in sync with a reactive option.
// Updates are coalesced to one per animation frame, so a burst of progress messages costs one redraw.
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export function useEChart(el: Ref<HTMLElement | null>, option: () => EChartsCoreOption): void {
  let chart: echarts.ECharts | null = null;
  let frame = 0;
  let observer: ResizeObserver | null = null;

  const render = () => {
    frame = 0;
    chart?.setOption(option(), { notMerge: false, lazyUpdate: true });
  };

  onMounted(() => {
    if (!el.value) return;
    chart = echarts.init(el.value, undefined, { renderer: 'canvas' });
    render();
    observer = new ResizeObserver(() => chart?.resize());
    observer.observe(el.value);
  });

  watch(option, () => {
    if (!frame) frame = requestAnimationFrame(render);
  });

  onBeforeUnmount(() => {
    cancelAnimationFrame(frame);
    observer?.disconnect();
    chart?.dispose();
    chart = null;
  });
}
