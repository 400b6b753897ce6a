/**
 * Polling the node while a page is open: one request at a time (the next is scheduled only
 * after the previous answered), stopped when the page goes away. The interval is the page's
 * `?poll=` (ms), 2 s by default.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export const POLL_MS = Math.max(250, Number(new URLSearchParams(location.search).get('poll')) || 2000);

export interface Polled<T> {
  data?: T;
  error?: string;
  /** Bumps to reload at once (after a change the user made). */
  refresh(): void;
}

export function usePoll<T>(load: () => Promise<T>, deps: unknown[], ms = POLL_MS): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const round = async () => {
      try {
        const data = await loader.current();
        if (!stopped) setState({ data });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: (err as Error).message }));
      }
      if (!stopped) timer = setTimeout(round, ms);
    };
    void round();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, tick, ms]);
  return { ...state, refresh: () => setTick((t) => t + 1) };
}
