// Closing the window: what to ask and what to do, as pure functions. desktop.ts asks the renderer
// for its DocumentState (with a timeout), shows the dialog these functions describe, and acts.
import type { DocumentState } from '../../renderer/src/host/host';

/** The renderer's state, or 'no-answer' when it did not answer in time (hung, crashed, still loading). */
export type CloseInput = DocumentState | 'no-answer';

export interface ClosePrompt {
  kind: 'unsaved' | 'training' | 'unsaved-training' | 'no-answer';
  message: string;
  detail: string;
  /** Button labels in order; `cancelId` is also what Esc and closing the dialog give. */
  buttons: string[];
  defaultId: number;
  cancelId: number;
  /** What each button does, by index. */
  outcomes: CloseOutcome[];
}

/** 'save-then-close': the renderer saves (it may ask where); closing goes on only if that worked. */
export type CloseOutcome = 'close' | 'save-then-close' | 'cancel';

export type CloseDecision = { kind: 'close' } | { kind: 'ask'; prompt: ClosePrompt };

function title(name: string): string {
  const n = name.trim();
  return n ? `“${n}”` : 'this project';
}

export function decideClose(input: CloseInput): CloseDecision {
  if (input === 'no-answer') {
    return {
      kind: 'ask',
      prompt: {
        kind: 'no-answer',
        message: 'Netwright is not responding.',
        detail: 'It could not say whether there are unsaved changes. Close the window anyway? Unsaved changes would be lost (the autosave keeps the last saved state).',
        buttons: ['Close Anyway', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        outcomes: ['close', 'cancel'],
      },
    };
  }
  const { dirty, training, name } = input;
  if (!dirty && !training) return { kind: 'close' };
  if (dirty) {
    const stop = training ? ' Closing also stops the training run in progress.' : '';
    return {
      kind: 'ask',
      prompt: {
        kind: training ? 'unsaved-training' : 'unsaved',
        message: `Do you want to save the changes to ${title(name)}?`,
        detail: `Your changes will be lost if you don't save them.${stop}`,
        buttons: ['Save', "Don't Save", 'Cancel'],
        defaultId: 0,
        cancelId: 2,
        outcomes: ['save-then-close', 'close', 'cancel'],
      },
    };
  }
  return {
    kind: 'ask',
    prompt: {
      kind: 'training',
      message: 'A training run is in progress.',
      detail: 'Closing the window stops it. The run keeps its curves and its last checkpoint, and can be resumed later.',
      buttons: ['Stop and Close', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      outcomes: ['close', 'cancel'],
    },
  };
}

/** The outcome of the button the user pressed (an unknown index cancels). */
export function closeOutcome(prompt: ClosePrompt, response: number): CloseOutcome {
  return prompt.outcomes[response] ?? 'cancel';
}

/**
 * Questions main asks the renderer (close state, save before close), matched to their answers by
 * id, each with a timeout. `send` delivers the question; answers come through `answer` (IPC).
 */
export class RendererQuestions {
  private next = 1;
  private readonly pending = new Map<number, { owner: number; resolve: (a: { ok: true; value: unknown } | { ok: false; error: string }) => void }>();

  /** Resolves with the answer, or 'no-answer' after `timeoutMs`. */
  ask(owner: number, send: (id: number) => void, timeoutMs: number): Promise<{ ok: true; value: unknown } | { ok: false; error: string } | 'no-answer'> {
    const id = this.next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve('no-answer');
      }, timeoutMs);
      this.pending.set(id, {
        owner,
        resolve: (a) => {
          clearTimeout(timer);
          this.pending.delete(id);
          resolve(a);
        },
      });
      try {
        send(id);
      } catch {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve('no-answer');
      }
    });
  }

  /** An answer from WebContents `owner`; false when nothing of that sender is waiting under `id`. */
  answer(owner: number, id: number, answer: { ok: true; value: unknown } | { ok: false; error: string }): boolean {
    const p = this.pending.get(id);
    if (!p || p.owner !== owner) return false;
    p.resolve(answer);
    return true;
  }

  get waiting(): number {
    return this.pending.size;
  }
}
