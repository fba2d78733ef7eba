/**
 * The typed lifecycle bus of one process: each fact is published once, by the code that made it
 * happen, and whoever needs it (SSE streams, metrics, audit, webhooks) subscribes. Events that must
 * reach another process go there through a subscriber (LISTEN/NOTIFY), not through the bus.
 *
 * Publishing never fails and never waits: listeners run synchronously, a listener that throws or
 * rejects is reported to `onError`, and the promises listeners return are tracked so that
 * `drain()` can wait for them at shutdown.
 */
export interface EventBus<E extends { type: string }> extends Publisher<E> {
  /** Returns the function that unsubscribes. */
  subscribe<T extends E['type']>(type: T, listener: Listener<Extract<E, { type: T }>>): () => void;
  /** Every event, whatever its type. */
  subscribeAll(listener: Listener<E>): () => void;
  /** Resolves once the work listeners started (their returned promises) has settled. */
  drain(): Promise<void>;
}

/** What a feature needs to publish its own events: nothing of the bus's other side. */
export interface Publisher<E> {
  publish(event: E): void;
}

/** A listener may return a promise; the bus tracks it for drain() and reports its rejection. */
export type Listener<E> = (event: E) => unknown;

export interface EventBusOptions {
  /** Called with a listener's failure; default: nothing (tests). */
  onError?: (error: unknown, event: { type: string }) => void;
}

export function createEventBus<E extends { type: string }>(options: EventBusOptions = {}): EventBus<E> {
  const byType = new Map<string, Set<Listener<E>>>();
  const all = new Set<Listener<E>>();
  const pending = new Set<Promise<unknown>>();
  const onError = options.onError ?? (() => {});

  const deliver = (listener: Listener<E>, event: E) => {
    try {
      const result = listener(event);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        const tracked = (result as Promise<unknown>).catch((error: unknown) => onError(error, event));
        pending.add(tracked);
        void tracked.finally(() => pending.delete(tracked));
      }
    } catch (error) {
      onError(error, event);
    }
  };

  const add = (set: Set<Listener<E>>, listener: Listener<E>) => {
    set.add(listener);
    return () => void set.delete(listener);
  };

  return {
    publish(event) {
      for (const listener of [...(byType.get(event.type) ?? [])]) deliver(listener, event);
      for (const listener of [...all]) deliver(listener, event);
    },
    subscribe(type, listener) {
      const set = byType.get(type) ?? new Set<Listener<E>>();
      byType.set(type, set);
      return add(set, listener as Listener<E>);
    },
    subscribeAll: (listener) => add(all, listener),
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
