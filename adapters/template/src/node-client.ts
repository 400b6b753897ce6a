/**
 * Talks to the chain's node. Every answer the node refuses becomes the standard's typed
 * error, keeping the node's own code and words in `detail`; a node that cannot be reached is
 * UNAVAILABLE. Replace this file with your framework's SDK or RPC client.
 */
import { UnavailableError, errorOfCode, type ErrorCode, type FailureStage } from '@bsn/contract';
import { FRAMEWORK } from './framework.js';

export class NodeClient {
  constructor(readonly url: string) {}

  async call<T>(method: string, params: Record<string, unknown>, stage: FailureStage, what: string): Promise<T> {
    let answer: { result?: T; error?: { code: ErrorCode; message: string; field?: string } };
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method, params }),
      });
      answer = (await response.json()) as typeof answer;
    } catch (error) {
      throw new UnavailableError(`${what}: the node at ${this.url} cannot be reached: ${(error as Error).message}`, {
        stage,
        cause: error,
        detail: { framework: FRAMEWORK, message: (error as Error).message },
      });
    }
    const { error } = answer;
    if (error) {
      throw errorOfCode(error.code, `${what}: ${error.message}`, {
        stage,
        ...(error.field && { field: error.field }),
        detail: { framework: FRAMEWORK, code: error.code, message: error.message },
      });
    }
    return answer.result as T;
  }
}
