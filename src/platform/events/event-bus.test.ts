import { describe, expect, it } from 'vitest';
import { createEventBus } from './event-bus.js';

type Event = { type: 'a'; n: number } | { type: 'b'; s: string };

describe('createEventBus', () => {
  it('delivers an event to the subscribers of its type and to those of every type, once each', () => {
    const bus = createEventBus<Event>();
    const seen: string[] = [];
    bus.subscribe('a', (e) => void seen.push(`a:${e.n}`));
    bus.subscribe('b', (e) => void seen.push(`b:${e.s}`));
    bus.subscribeAll((e) => void seen.push(`all:${e.type}`));
    bus.publish({ type: 'a', n: 1 });
    bus.publish({ type: 'b', s: 'x' });
    expect(seen).toEqual(['a:1', 'all:a', 'b:x', 'all:b']);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = createEventBus<Event>();
    let count = 0;
    const off = bus.subscribe('a', () => void count++);
    bus.publish({ type: 'a', n: 1 });
    off();
    bus.publish({ type: 'a', n: 2 });
    expect(count).toBe(1);
  });

  it('reports a throwing or rejecting listener to onError and still delivers to the others', async () => {
    const errors: string[] = [];
    const bus = createEventBus<Event>({ onError: (error) => errors.push((error as Error).message) });
    let delivered = 0;
    bus.subscribe('a', () => {
      throw new Error('sync');
    });
    bus.subscribe('a', async () => {
      throw new Error('async');
    });
    bus.subscribe('a', () => void delivered++);
    expect(() => bus.publish({ type: 'a', n: 1 })).not.toThrow();
    await bus.drain();
    expect(delivered).toBe(1);
    expect(errors.sort()).toEqual(['async', 'sync']);
  });

  it('drain waits for the work listeners started', async () => {
    const bus = createEventBus<Event>();
    let done = false;
    bus.subscribeAll(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done = true;
    });
    bus.publish({ type: 'b', s: 'x' });
    expect(done).toBe(false);
    await bus.drain();
    expect(done).toBe(true);
  });
});
