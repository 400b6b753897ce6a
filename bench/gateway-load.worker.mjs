/**
 * The gateway benchmark's load generator, on its own thread: a client of a real node signs
 * requests and verifies responses with its own CPU, as a separate client process would,
 * instead of stealing the node's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
// Plain JS on the built client: a worker thread does not inherit the tsx loader on Node 20.
import { BsnClient } from '../core/dist/client/rest-client.js';
import { fromHex } from '../core/dist/encoding/bytes.js';

const { baseUrl, user, privateKey } = workerData;
const client = new BsnClient({ baseUrl, user, algorithm: 'secp256r1', privateKey: fromHex(privateKey) });

parentPort.on('message', async (job) => {
  const lat = [];
  let next = 0;
  const value = new Uint8Array(job.value ?? []);
  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: job.concurrency }, async () => {
      for (let i = next++; i < job.n; i = next++) {
        const t = performance.now();
        if (job.op === 'put') await client.put('bench-gw', `${job.prefix}-${i}`, value, `${job.prefix}-${i}`);
        else await client.get('bench-gw', `${job.prefix}-${i % (job.keys ?? job.n)}`);
        lat.push(performance.now() - t);
      }
    }));
    parentPort.postMessage({ lat, rate: (job.n / (performance.now() - start)) * 1000 });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
