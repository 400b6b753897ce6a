/**
 * The gateway benchmark's load generator, on its own thread. On a 2-core machine every
 * microsecond the client spends is taken from the node, which the in-process baseline never
 * pays; so, as HTTP load generators do, requests are signed before the timed phase and the
 * node's response signatures are checked after it (all of them: a bad or missing one fails
 * the run). The timed phase is keep-alive HTTP over a lean client (raw-http.mjs), one
 * connection per request in flight. Requests are signed at most seconds before they are sent,
 * well inside the node's clock-skew window.
 */
import { parentPort, workerData } from 'node:worker_threads';
// Plain JS on the built client: a worker thread does not inherit the tsx loader on Node 20.
import { RequestSigner } from '@bsn/client';
import { encodeKey } from '@bsn/client';
import { HEADERS } from '@bsn/protocol';
import { verifyResponse } from '@bsn/protocol';
import { fromHex } from '@bsn/contract';
import { timed } from './timing.mjs';
import { RawConnection, headerOf, serializeRequest } from './raw-http.mjs';

const { baseUrl, user, privateKey, app } = workerData;
const signer = new RequestSigner(user, 'secp256r1', fromHex(privateKey));
const url = new URL(baseUrl);
const nodeInfo = await RawConnection.open(url);
const nodeKey = JSON.parse((await nodeInfo.send(serializeRequest(url, 'GET', '/v1/node', {}))).body.toString('utf8')).key;
nodeInfo.close();

function prepare(job, i) {
  const key = job.op === 'put' ? `${job.prefix}-${i}` : `${job.prefix}-${i % (job.keys ?? job.n)}`;
  const path = `/v1/apps/${app}/kv/${encodeKey(key)}`;
  if (job.op === 'put') {
    const body = new Uint8Array(job.value);
    const signed = signer.signRequest({ method: 'PUT', path, body, app });
    const headers = { ...signed.headers, 'content-type': 'application/octet-stream', [HEADERS.requestId]: key };
    return { method: 'PUT', path, digest: signed.digest, bytes: serializeRequest(url, 'PUT', path, headers, body) };
  }
  const { headers, digest } = signer.signRequest({ method: 'GET', path, app });
  return { method: 'GET', path, digest, bytes: serializeRequest(url, 'GET', path, headers) };
}

/**
 * Kept open from one job to the next, as a keep-alive agent would: a round must not time the
 * node accepting connections. One the node closed while idle is opened again.
 */
const connections = [];
async function openConnections(count) {
  for (let i = 0; i < count; i++) {
    if (!connections[i] || connections[i].closed) connections[i] = await RawConnection.open(url);
  }
}

parentPort.on('message', async (job) => {
  try {
    const requests = Array.from({ length: job.n }, (_, i) => prepare(job, i));
    const responses = new Array(job.n);
    await openConnections(job.concurrency);
    const run = await timed(job.n, job.concurrency, async (i, slot) => {
      responses[i] = await connections[slot].send(requests[i].bytes);
    });
    responses.forEach((res, i) => {
      if (res.status !== 200)
        throw new Error(`${requests[i].method} ${requests[i].path}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
      const ok = verifyResponse(nodeKey, res.status, res.body, requests[i].digest, headerOf(res.head, HEADERS.nodeSignature));
      if (!ok) throw new Error(`${requests[i].method} ${requests[i].path}: the response is not signed by the node`);
    });
    parentPort.postMessage(run);
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
