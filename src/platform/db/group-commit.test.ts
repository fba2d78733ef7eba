import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('createGroupCommit', () => {
  it('writes concurrent submissions together and resolves each with its own result', async () => {
    const batches: number[][] = [];
    const group = createGroupCommit(async (items: number[]) => {
      batches.push(items);
      await tick();
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    // The first write starts alone; the four that arrived during it share the next transaction.
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('with lingerMs, lets writes that arrive within the window join the first one', async () => {
    const batches: number[][] = [];
    const group = createGroupCommit(
      async (items: number[]) => {
        batches.push(items);
        return items;
      },
      { lingerMs: 30 },
    );
    const first = group.submit(1);
    await tick();
    const second = group.submit(2);
    expect(batches).toEqual([]);
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(batches).toEqual([[1, 2]]);
    // Idle again: the next write waits for company once more.
    const third = group.submit(3);
    expect(batches).toHaveLength(1);
    await third;
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('respects the batch size limit', async () => {
    const sizes: number[] = [];
    const group = createGroupCommit(
      async (items: number[]) => {
        sizes.push(items.length);
        await tick();
        return items;
      },
      { maxBatch: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)));
    expect(sizes).toEqual([1, 2, 2]);
  });

  it('fails only the bad item when a batch fails', async () => {
    const group = createGroupCommit(async (items: number[]) => {
      await tick();
      if (items.includes(3)) throw new Error('bad 3');
      return items;
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => group.submit(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  });

  it('keeps working after a failure', async () => {
    let fail = true;
    const group = createGroupCommit(async (items: number[]) => {
      if (fail) throw new Error('down');
      return items;
    });
    await expect(group.submit(1)).rejects.toThrow('down');
    fail = false;
    await expect(group.submit(2)).resolves.toBe(2);
  });
});
