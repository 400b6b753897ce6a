import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { RejectedByChainError, TimeoutError, UnavailableError } from '@bsn/contract';
import { FRAMEWORK } from '../describe.js';
import type { OrdererAdminTarget } from './provisioning-config.js';

const BASE = '/participation/v1/channels';

interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * The orderer's channel participation API (HTTPS with a client certificate the orderer's
 * admin TLS config accepts): what `osnadmin channel join/list` do, without the binary.
 */
export class OrdererAdmin {
  constructor(private readonly target: OrdererAdminTarget) {}

  private call(method: 'GET' | 'POST', path: string, deadline: number, body?: { contentType: string; bytes: Buffer }): Promise<HttpAnswer> {
    const [host, port] = splitEndpoint(this.target.adminEndpoint);
    const name = this.target.hostOverride ?? host;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          method,
          path,
          ca: this.target.tlsRootCert,
          cert: this.target.adminTlsClient.certificate,
          key: this.target.adminTlsClient.privateKey,
          servername: /^[\d.]+$/.test(name) ? undefined : name,
          // The admin endpoint may be dialled by address while its certificate names the host.
          checkServerIdentity: (_host, cert) =>
            checkServerIdentity(name, cert) === undefined ? undefined : checkServerIdentity(host, cert),
          timeout: Math.max(1, deadline - Date.now()),
          headers: body ? { 'content-type': body.contentType, 'content-length': body.bytes.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(
          new TimeoutError(`orderer admin ${method} ${path}: no answer in time`, { stage: 'submit', detail: { framework: FRAMEWORK } }),
        ),
      );
      req.on('error', (error) =>
        reject(
          error instanceof TimeoutError
            ? error
            : new UnavailableError(`orderer admin ${this.target.adminEndpoint} unreachable: ${error.message}`, {
                stage: 'submit',
                cause: error,
                detail: { framework: FRAMEWORK, message: error.message, data: { endpoint: this.target.adminEndpoint } },
              }),
        ),
      );
      req.end(body?.bytes);
    });
  }

  /** The orderer's view of `channel` (`status`: active, onboarding, …), or undefined when it is not a member. */
  async channel(channel: string, deadline: number): Promise<{ name: string; status: string; height: number } | undefined> {
    const answer = await this.call('GET', `${BASE}/${channel}`, deadline);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw refusal('list', channel, answer);
    return JSON.parse(answer.body) as { name: string; status: string; height: number };
  }

  /** Joins the orderer to the channel of `block` (its genesis block). A channel it already has is success. */
  async join(channel: string, block: Uint8Array, deadline: number): Promise<'joined' | 'already'> {
    if (await this.channel(channel, deadline)) return 'already';
    const boundary = `bsn-${randomBytes(12).toString('hex')}`;
    const bytes = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="config-block"; filename="${channel}.block"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.from(block),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const answer = await this.call('POST', BASE, deadline, { contentType: `multipart/form-data; boundary=${boundary}`, bytes });
    if (answer.status === 201) return 'joined';
    // A concurrent create joined it between the look-up and the join.
    if (answer.status === 405 && /already exists/i.test(answer.body)) return 'already';
    throw refusal('join', channel, answer);
  }
}

function refusal(what: string, channel: string, answer: HttpAnswer): Error {
  let message = answer.body;
  try {
    message = (JSON.parse(answer.body) as { error?: string }).error ?? answer.body;
  } catch {
    /* not JSON: keep the text */
  }
  const options = {
    stage: 'submit' as const,
    detail: { framework: FRAMEWORK, code: answer.status, message, data: { channel, httpStatus: answer.status } },
  };
  if (answer.status >= 500) return new UnavailableError(`orderer channel ${what} of ${channel}: ${message}`, options);
  return new RejectedByChainError(`orderer refused channel ${what} of ${channel}: ${message}`, options);
}

function splitEndpoint(endpoint: string): [string, number] {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i), Number(endpoint.slice(i + 1))];
}
