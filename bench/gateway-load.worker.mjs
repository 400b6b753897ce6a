/**
 * The gateway benchmark's load generator, on its own thread. On a 2-core machine every
 * microsecond the client spends is taken from the node, which the in-process baseline never
 * pays; so, as HTTP load generators do, requests are signed before the timed phase and the
 * node's response signatures are checked after it (all of them: a bad or missing one fails
 * the run). The timed phase is plain keep-alive HTTP. Requests are signed at most seconds
 * before they are sent, well inside the node's clock-skew window.
 */
import { parentPort, workerData } from 'node:worker_threads';
// Plain JS on the built client: a worker thread does not inherit the tsx loader on Node 20.
import { HttpTransport } from '../core/dist/client/http-transport.js';
import { RequestSigner } from '../core/dist/client/request-signer.js';
import { encodeKey } from '../core/dist/client/rest-client.js';
import { HEADERS } from '../core/dist/node/auth/canonical.js';
import { verifyResponse } from '../core/dist/node/auth/response-signer.js';
import { fromHex } from '../core/dist/encoding/bytes.js';
import { timed } from './timing.mjs';

const { baseUrl, user, privateKey, app } = workerData;
const signer = new RequestSigner(user, 'secp256r1', fromHex(privateKey));
const http = new HttpTransport(new URL(baseUrl));
const nodeInfo = await http.request('GET', '/v1/node', {});
const nodeKey = JSON.parse(nodeInfo.body.toString('utf8')).key;

function prepare(job, i) {
  const key = job.op === 'put' ? `${job.prefix}-${i}` : `${job.prefix}-${i % (job.keys ?? job.n)}`;
  const path = `/v1/apps/${app}/kv/${encodeKey(key)}`;
  if (job.op === 'put') {
    const body = new Uint8Array(job.value);
    const headers = { ...signer.sign({ method: 'PUT', path, body, app }), 'content-type': 'application/octet-stream', [HEADERS.requestId]: key };
    return { method: 'PUT', path, headers, body };
  }
  return { method: 'GET', path, headers: signer.sign({ method: 'GET', path, app }) };
}

parentPort.on('message', async (job) => {
  try {
    const requests = Array.from({ length: job.n }, (_, i) => prepare(job, i));
    const responses = new Array(job.n);
    const run = await timed(job.n, job.concurrency, async (i) => {
      const r = requests[i];
      responses[i] = await http.request(r.method, r.path, r.headers, r.body);
    });
    responses.forEach((res, i) => {
      if (res.status !== 200) throw new Error(`${requests[i].method} ${requests[i].path}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
      const ok = verifyResponse(nodeKey, res.status, res.body, requests[i].headers[HEADERS.nonce], res.headers.get(HEADERS.nodeSignature) ?? undefined);
      if (!ok) throw new Error(`${requests[i].method} ${requests[i].path}: the response is not signed by the node`);
    });
    parentPort.postMessage(run);
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
