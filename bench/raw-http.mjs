/**
 * The gateway benches' HTTP/1.1 load client, built the way wrk and autocannon are: one
 * keep-alive socket per request in flight, requests serialized to bytes before the timed
 * phase, and a response read only as far as its status line, its head and a content-length
 * body. On two cores every microsecond the load generator spends is taken from the node and
 * the chain, which an app on its own machine would not take; node:http's client costs about
 * 40 µs of CPU per request here, this one a fraction of that. Not a general client: no
 * chunked bodies, no TLS, no redirects; an answer it cannot read fails the run.
 */
import { connect } from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

/** `method path` with `headers` and `body` as the bytes sent on the wire. */
export function serializeRequest(url, method, path, headers, body) {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  if (body !== undefined || method !== 'GET') head += `content-length: ${body?.length ?? 0}\r\n`;
  const bytes = Buffer.from(`${head}\r\n`, 'latin1');
  return body === undefined ? bytes : Buffer.concat([bytes, body]);
}

/** The value of header `name` (lower case) in a response head, or undefined. */
export function headerOf(head, name) {
  const at = head.toLowerCase().indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const end = head.indexOf('\r\n', at + 2);
  return head.slice(at + name.length + 3, end < 0 ? undefined : end).trim();
}

/** One keep-alive connection carrying one request at a time. */
export class RawConnection {
  #socket;
  #buffer = Buffer.alloc(0);
  #pending;
  #failure;

  constructor(socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('the node closed the connection')));
  }

  static open(url) {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends serialized request bytes; resolves with `{ status, head, body }`. */
  send(bytes) {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#pending) return Promise.reject(new Error('one request at a time on a connection'));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#socket.write(bytes);
    });
  }

  /** Whether the connection can no longer carry a request (closed by either side, or failed). */
  get closed() {
    return this.#failure !== undefined;
  }

  close() {
    this.#socket.destroy();
  }

  #onData(chunk) {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headEnd = this.#buffer.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.#buffer.toString('latin1', 0, headEnd);
    if (/\r\ntransfer-encoding:/i.test(head))
      return this.#fail(new Error('the node sent a chunked body, which the bench client does not read'));
    const length = Number(headerOf(head, 'content-length') ?? 0);
    const bodyStart = headEnd + HEAD_END.length;
    if (this.#buffer.length < bodyStart + length) return;
    if (this.#buffer.length > bodyStart + length) return this.#fail(new Error('the node sent more than one answer to one request'));
    const body = this.#buffer.subarray(bodyStart);
    this.#buffer = Buffer.alloc(0);
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return this.#fail(new Error('the node answered a request that was not sent'));
    pending.resolve({ status: Number(head.slice(9, 12)), head, body });
  }

  #fail(error) {
    this.#failure ??= error;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}
