/**
 * Waits for `work` to settle, but no longer than `limitMs`; never rejects. For shutdown steps
 * that can stall on a peer (a port nobody reads, a backend that does not answer): the process
 * must still end. The timer never keeps the process alive on its own.
 */
export async function waitAtMost(work: Promise<unknown>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limitMs).unref();
  });
  try {
    await Promise.race([work.then(() => undefined, () => undefined), limit]);
  } finally {
    clearTimeout(timer);
  }
}
