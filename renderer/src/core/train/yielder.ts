// Yielding to the event loop between batches, so 'stop' and job messages get through.

/** Yields without setTimeout's 4 ms clamp (a MessageChannel round trip) where one exists. */
export function makeYielder(): { yield: () => Promise<void>; close: () => void } {
  // Node: setImmediate lets signals (Ctrl-C) and I/O in after each batch; a MessageChannel round
  // trip there starves them for ~1,000 yields.
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (immediate) return { yield: () => new Promise((r) => void immediate(r)), close: () => {} };
  if (typeof MessageChannel === 'undefined') {
    return { yield: () => new Promise((r) => setTimeout(r, 0)), close: () => {} };
  }
  const ch = new MessageChannel();
  const waiting: (() => void)[] = [];
  ch.port1.onmessage = () => waiting.shift()?.();
  return {
    yield: () =>
      new Promise<void>((r) => {
        waiting.push(r);
        ch.port2.postMessage(0);
      }),
    // An open port keeps Node's event loop alive.
    close: () => {
      ch.port1.close();
      ch.port2.close();
    },
  };
}
