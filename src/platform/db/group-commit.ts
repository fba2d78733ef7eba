export interface GroupCommitOptions {
  /** Most items written in one transaction. Default 64. */
  maxBatch?: number;
  /**
   * How long a write that finds the committer idle waits for others to join it. Default 0: it
   * starts at once. Worth it only where no caller waits on the commit to answer someone.
   */
  lingerMs?: number;
}

/**
 * Group commit: writes that arrive while a transaction is in flight are written together in the
 * next one, so N concurrent requests pay for one commit (one WAL flush) instead of N. Each caller
 * still resolves only after its own rows are committed. With no concurrency it adds no delay
 * (unless lingerMs asks for one).
 * If a batch fails, its items are retried one by one, so one bad item fails alone.
 */
export function createGroupCommit<T, R>(
  write: (items: T[]) => Promise<R[]>,
  options: GroupCommitOptions = {},
) {
  const maxBatch = options.maxBatch ?? 64;
  const lingerMs = options.lingerMs ?? 0;
  type Pending = { item: T; resolve: (value: R) => void; reject: (error: unknown) => void };
  let queue: Pending[] = [];
  let flushing = false;

  async function writeBatch(batch: Pending[]) {
    try {
      const results = await write(batch.map((p) => p.item));
      for (const [i, pending] of batch.entries()) pending.resolve(results[i] as R);
    } catch (error) {
      if (batch.length === 1) return batch[0]?.reject(error);
      for (const pending of batch) await writeBatch([pending]);
    }
  }

  async function flush() {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      await writeBatch(batch);
    }
    flushing = false;
  }

  return {
    submit(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (flushing) return;
        flushing = true;
        if (lingerMs > 0) setTimeout(() => void flush(), lingerMs);
        else void flush();
      });
    },
  };
}
