export interface RawResponse {
  status: number;
  /** The status line and headers, latin1, without the blank line. */
  head: string;
  body: Buffer;
}
export function serializeRequest(url: URL, method: string, path: string, headers: Record<string, string>, body?: Uint8Array): Buffer;
export function headerOf(head: string, name: string): string | undefined;
export class RawConnection {
  static open(url: URL): Promise<RawConnection>;
  send(bytes: Uint8Array): Promise<RawResponse>;
  readonly closed: boolean;
  close(): void;
}
