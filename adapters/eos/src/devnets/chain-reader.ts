/**
 * A `ChainReader` for a Leap node: plain HTTP calls to its chain and trace APIs, with none of
 * the adapter's code, so what the suite checks receipts against is the node's word. A
 * transaction is known once its block is irreversible (the trace API's rule).
 */
import type { ChainBlock, ChainReader } from '@bsn/devnets';

async function post<T>(url: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: (await r.json()) as T };
}

const time = (text: string) => Date.parse(text.endsWith('Z') ? text : `${text}Z`);

export function leapReader(url: string): ChainReader {
  const reader: ChainReader = {
    source: `Leap chain and trace API ${url}`,
    async head() {
      const { body } = await post<{ head_block_num: number }>(url, '/v1/chain/get_info', {});
      return body.head_block_num;
    },
    async block(number: number): Promise<ChainBlock | undefined> {
      const { status, body } = await post<{
        id: string;
        block_num: number;
        timestamp: string;
        transactions: Array<{ trx: string | { id: string } }>;
      }>(url, '/v1/chain/get_block', { block_num_or_id: number });
      if (status !== 200) return undefined;
      return {
        number: body.block_num,
        hash: body.id,
        timestampMs: time(body.timestamp),
        txIds: body.transactions.map((t) => (typeof t.trx === 'string' ? t.trx : t.trx.id)),
      };
    },
    async transaction(txId: string) {
      const { status, body } = await post<{ block_num: number; block_time: string; status: string }>(
        url,
        '/v1/trace_api/get_transaction_trace',
        { id: txId },
      );
      if (status !== 200) return undefined;
      return { block: body.block_num, valid: body.status === 'executed', timestampMs: time(body.block_time) };
    },
  };
  return reader;
}
