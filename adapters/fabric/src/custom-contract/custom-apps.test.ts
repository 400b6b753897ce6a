import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { CustomApps, type CustomApp, type CustomAppsDeps } from './custom-apps.js';

// How long the gateway's answer to "which custom app is this" may be kept: the chain read
// (the app's record and its chaincode's definition) is faked at CustomApps.read; time is
// vitest's fake clock.

const app = (members: string[]) => ({ appId: 'token', members }) as unknown as CustomApp;

function withReads() {
  const apps = new CustomApps({} as CustomAppsDeps);
  const pending: Array<{ resolve: (a: CustomApp | undefined) => void; reject: (e: unknown) => void }> = [];
  const read = vi.spyOn(apps as unknown as { read: (id: string) => Promise<CustomApp | undefined> }, 'read').mockImplementation(
    () =>
      new Promise((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  );
  return { apps, read, pending };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CustomApps.find: answers no older than asked, read once', () => {
  test('16 calls finding no answer share one read of the chain', async () => {
    const { apps, read, pending } = withReads();
    const calls = Array.from({ length: 16 }, () => apps.find('token'));
    expect(read).toHaveBeenCalledTimes(1);
    pending[0]!.resolve(app(['a']));
    for (const found of await Promise.all(calls)) expect(found).toEqual(app(['a']));
  });

  test('past half its age an answer is read again in the background while it still serves; the new one replaces it', async () => {
    const { apps, read, pending } = withReads();
    const first = apps.find('token');
    pending[0]!.resolve(app(['a']));
    await first;
    vi.advanceTimersByTime(400);
    expect(await apps.find('token')).toEqual(app(['a']));
    expect(read).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(200); // 600 ms old
    expect(await apps.find('token')).toEqual(app(['a']));
    expect(await apps.find('token')).toEqual(app(['a']));
    expect(read, 'one read ahead, not one per call').toHaveBeenCalledTimes(2);
    pending[1]!.resolve(app(['a', 'b']));
    await vi.advanceTimersByTimeAsync(0);
    expect(await apps.find('token')).toEqual(app(['a', 'b']));
  });

  test('an answer past its age is never served: the call waits for the read under way, or its failure', async () => {
    const { apps, read, pending } = withReads();
    const first = apps.find('token');
    pending[0]!.resolve(app(['a']));
    await first;
    vi.advanceTimersByTime(600);
    void apps.find('token'); // reads ahead
    vi.advanceTimersByTime(500); // the answer is 1.1 s old, the read ahead 0.5 s
    const late = apps.find('token');
    expect(read).toHaveBeenCalledTimes(2);
    pending[1]!.reject(Object.assign(new Error('peer unavailable'), { code: 'UNAVAILABLE' }));
    await expect(late).rejects.toThrow('peer unavailable');
    // Nothing fresh is cached: the next call reads again rather than falling back to the old answer.
    const next = apps.find('token');
    expect(read).toHaveBeenCalledTimes(3);
    pending[2]!.resolve(app(['c']));
    expect(await next).toEqual(app(['c']));
  });

  test('a read begun before the asked age is not shared: maxAgeMs 0 (the lifecycle) always reads anew', async () => {
    const { apps, read, pending } = withReads();
    const cached = apps.find('token');
    const fresh = apps.find('token', 0);
    expect(read).toHaveBeenCalledTimes(2);
    pending[1]!.resolve(app(['new']));
    pending[0]!.resolve(app(['old']));
    expect(await fresh).toEqual(app(['new']));
    expect(await cached).toEqual(app(['old']));
    // The answer of the read begun later stays, whichever finished last.
    expect(await apps.find('token')).toEqual(app(['new']));
    // And 0 means now, even with an answer read in the same millisecond.
    void apps.find('token', 0);
    expect(read).toHaveBeenCalledTimes(3);
  });

  test('forget (this adapter changed the record): the next call reads again, and a read begun before is not kept', async () => {
    const { apps, read, pending } = withReads();
    const first = apps.find('token');
    pending[0]!.resolve(app(['a']));
    await first;
    vi.advanceTimersByTime(600);
    void apps.find('token'); // a read ahead, begun before the change
    apps.forget('token');
    pending[1]!.resolve(app(['before the change']));
    await vi.advanceTimersByTimeAsync(0);
    const after = apps.find('token');
    expect(read, 'the answer of the read begun before the change is not kept').toHaveBeenCalledTimes(3);
    pending[2]!.resolve(app(['after the change']));
    expect(await after).toEqual(app(['after the change']));
    expect(await apps.find('token')).toEqual(app(['after the change']));
    expect(read).toHaveBeenCalledTimes(3);
  });

  test('an app found no longer custom is dropped, not served from the cache', async () => {
    const { apps, read, pending } = withReads();
    const first = apps.find('token');
    pending[0]!.resolve(app(['a']));
    await first;
    vi.advanceTimersByTime(1_100);
    const gone = apps.find('token');
    pending[1]!.resolve(undefined);
    expect(await gone).toBeUndefined();
    const again = apps.find('token');
    expect(read).toHaveBeenCalledTimes(3);
    pending[2]!.resolve(undefined);
    expect(await again).toBeUndefined();
  });
});
