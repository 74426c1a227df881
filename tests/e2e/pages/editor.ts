// Page object for the editor: every gesture the specs use, done with real mouse input.
import { expect, type Locator, type Page } from '@playwright/test';

/** The slice of the app's test handle (`window.__netwright`, set when navigator.webdriver) the specs read. */
interface DebugHandle {
  graph: { graph: { blocks: { id: string }[]; edges: unknown[] } };
  training: {
    status: string;
    runId: string | null;
    backend: string | null;
    error: { message: string } | null;
    filters: { version: number } | null;
  };
  runs: {
    selected: {
      id: string;
      name: string;
      state: string;
      epoch: number;
      curves: { trainLoss: [number, number][]; valAcc: [number, number][] };
      metrics?: { testAccuracy: number; examplesSeen: number };
      error?: string;
      weights?: unknown;
    } | null;
    records: { id: string; name: string; state: string; epoch: number; weights?: unknown; metrics?: { testAccuracy: number } }[];
  };
  project: { autosaved: boolean };
}
declare global {
  interface Window {
    __netwright: DebugHandle;
  }
}

export interface RunState {
  /** The live status of the training store (idle, running, paused, done…). */
  status: string;
  /** The shown run's record: its id and state. */
  id: string | null;
  state: string | null;
  epoch: number;
  hasWeights: boolean;
  backend: string | null;
  trainLoss: [number, number][];
  valAcc: [number, number][];
  testAccuracy: number | null;
  error: string | null;
  filtersVersion: number;
}

export class EditorPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/');
    await expect(this.page.locator('.app[data-ready="true"]')).toBeVisible();
  }

  get canvas(): Locator { return this.page.getByTestId('canvas'); }
  get palette(): Locator { return this.page.getByTestId('palette'); }
  get welcome(): Locator { return this.page.getByTestId('welcome'); }
  get trainButton(): Locator { return this.page.getByTestId('train-button'); }
  get testAccuracy(): Locator { return this.page.getByTestId('test-accuracy'); }
  get lossChart(): Locator { return this.page.getByTestId('loss-chart'); }
  get backendBadge(): Locator { return this.page.getByTestId('backend-badge'); }
  get filtersPanel(): Locator { return this.page.getByTestId('filters-panel'); }
  get toast(): Locator { return this.page.getByTestId('toast'); }

  paletteItem(type: string): Locator { return this.page.getByTestId(`palette-${type}`); }
  block(id: string): Locator { return this.page.getByTestId(`block-${id}`); }

  /** HTML5 drag from the palette, dropped at a point relative to the canvas' top-left corner. */
  async dragToCanvas(type: string, at: { x: number; y: number }): Promise<void> {
    await this.paletteItem(type).dragTo(this.canvas, { targetPosition: at });
  }

  /** Drags from a block's output handle to another block's input handle with the mouse. */
  async connect(sourceId: string, targetId: string): Promise<void> {
    const from = await this.center(this.page.locator(`[data-testid="block-${sourceId}"] .vue-flow__handle.source`));
    const to = await this.center(this.page.locator(`[data-testid="block-${targetId}"] .vue-flow__handle.target`));
    const mouse = this.page.mouse;
    await mouse.move(from.x, from.y);
    await mouse.down();
    await mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2 + 20, { steps: 8 });
    await mouse.move(to.x, to.y, { steps: 8 });
    await mouse.up();
  }

  async loadTemplateFromWelcome(id: string): Promise<void> {
    await this.page.getByTestId(`welcome-template-${id}`).click();
  }

  /** Sets a training setting in the inspector (nothing selected shows the settings). */
  async setSetting(key: string, value: string): Promise<void> {
    const input = this.page.getByTestId(`train-${key}`);
    await input.fill(value);
    await input.press('Enter');
    await expect(this.page.getByTestId(`train-${key}-error`)).toHaveCount(0);
  }

  /** Sets a parameter of the selected block in the inspector. */
  async setParam(key: string, value: string): Promise<void> {
    const input = this.page.getByTestId(`param-${key}`);
    await input.fill(value);
    await input.press('Enter');
  }

  async autosaved(): Promise<boolean> {
    return this.page.evaluate(() => window.__netwright.project.autosaved);
  }

  async blockIds(): Promise<string[]> {
    return this.page.evaluate(() => window.__netwright.graph.graph.blocks.map((b) => b.id));
  }

  async edgeCount(): Promise<number> {
    return this.page.evaluate(() => window.__netwright.graph.graph.edges.length);
  }

  /** The shown run as the stores hold it (the test-only debug handle). */
  async run(): Promise<RunState> {
    return this.page.evaluate(() => {
      const t = window.__netwright.training;
      const r = window.__netwright.runs.selected;
      const acc = r?.metrics?.testAccuracy;
      return {
        status: t.status,
        id: r?.id ?? null,
        state: r?.state ?? null,
        epoch: r?.epoch ?? 0,
        hasWeights: !!r?.weights,
        backend: t.backend,
        trainLoss: r?.curves.trainLoss ?? [],
        valAcc: r?.curves.valAcc ?? [],
        testAccuracy: acc !== undefined && Number.isFinite(acc) ? acc : null,
        error: t.error?.message ?? r?.error ?? null,
        filtersVersion: t.filters?.version ?? 0,
      };
    });
  }

  /** Every stored run: id, name, state. */
  async runs(): Promise<{ id: string; name: string; state: string; epoch: number }[]> {
    return this.page.evaluate(() => window.__netwright.runs.records.map((r) => ({ id: r.id, name: r.name, state: r.state, epoch: r.epoch })));
  }

  // ---------------------------------------------------------------- editor (issue 11)

  get health(): Locator { return this.page.getByTestId('graph-health'); }
  get totalParams(): Locator { return this.page.getByTestId('total-params'); }
  get menu(): Locator { return this.page.getByTestId('context-menu'); }
  get summary(): Locator { return this.page.getByTestId('model-summary'); }
  edgeLabels(): Locator { return this.page.locator('.vue-flow__edge-text'); }
  menuItem(id: string): Locator { return this.page.getByTestId(`menu-${id}`); }
  tool(id: string): Locator { return this.page.getByTestId(`tool-${id}`); }

  async loadTemplateFromMenu(id: string): Promise<void> {
    await this.page.getByTestId('templates-button').click();
    await this.page.getByTestId(`template-${id}`).click();
  }

  async selectedIds(): Promise<string[]> {
    return this.page.evaluate(() => [...(window.__netwright.graph as unknown as { selectedBlockIds: string[] }).selectedBlockIds]);
  }

  async edges(): Promise<string[]> {
    return this.page.evaluate(() =>
      (window.__netwright.graph.graph.edges as { source: string; target: string }[]).map((e) => `${e.source}>${e.target}`),
    );
  }

  /** Click on an empty spot of the canvas (clears the selection, focuses the page). */
  async clickEmptyCanvas(): Promise<void> {
    const box = (await this.canvas.boundingBox())!;
    await this.page.mouse.click(box.x + box.width - 260, box.y + box.height - 30);
  }

  /** Shift-drag a selection box between two points relative to the canvas. */
  async boxSelect(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
    const box = (await this.canvas.boundingBox())!;
    const m = this.page.mouse;
    await this.page.keyboard.down('Shift');
    await m.move(box.x + from.x, box.y + from.y);
    await m.down();
    await m.move(box.x + (from.x + to.x) / 2, box.y + (from.y + to.y) / 2, { steps: 5 });
    await m.move(box.x + to.x, box.y + to.y, { steps: 5 });
    await m.up();
    await this.page.keyboard.up('Shift');
  }

  async rightClickBlock(id: string): Promise<void> {
    await this.block(id).locator('.head').click({ button: 'right' });
    await expect(this.menu).toBeVisible();
  }

  /** Right-click on the middle of the connection from `source` to `target`. */
  async rightClickEdge(source: string, target: string): Promise<void> {
    const p = await this.edgeMiddle(source, target);
    await this.page.mouse.click(p.x, p.y, { button: 'right' });
    await expect(this.menu).toBeVisible();
  }

  /** A point on the connection between two blocks (mid-way between their ports). */
  async edgeMiddle(source: string, target: string): Promise<{ x: number; y: number }> {
    const a = await this.center(this.page.locator(`[data-testid="block-${source}"] .vue-flow__handle.source`));
    const b = await this.center(this.page.locator(`[data-testid="block-${target}"] .vue-flow__handle.target`));
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }

  /** HTML5 drag from the palette onto the connection between two blocks. */
  async dragOntoEdge(type: string, source: string, target: string): Promise<void> {
    const p = await this.edgeMiddle(source, target);
    const box = (await this.canvas.boundingBox())!;
    await this.paletteItem(type).dragTo(this.canvas, { targetPosition: { x: p.x - box.x, y: p.y - box.y } });
  }

  async boxOf(id: string): Promise<{ x: number; y: number; width: number; height: number }> {
    const b = await this.block(id).boundingBox();
    if (!b) throw new Error(`block ${id} not visible`);
    return b;
  }

  private async center(l: Locator): Promise<{ x: number; y: number }> {
    const box = await l.boundingBox();
    if (!box) throw new Error('element not visible');
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }
}
