import { fabricEnv, runTool } from './tools.js';

/** Where one org's peer is and how its admin talks to it with the `peer` CLI. */
export interface PeerAdmin {
  mspId: string;
  /** Folder with the peer's core.yaml (the CLI reads it too). */
  configDir: string;
  adminMsp: string;
  address: string;
  tlsRootCert: string;
}

export interface OrdererTarget {
  address: string;
  tlsRootCert: string;
}

/** The `peer` CLI as an org admin. */
export class PeerCli {
  constructor(
    private readonly peerBinary: string,
    readonly admin: PeerAdmin,
    private readonly log: (line: string) => void,
  ) {}

  run(args: string[], timeoutMs = 60_000): Promise<string> {
    return runTool(this.peerBinary, args, {
      env: fabricEnv({
        FABRIC_CFG_PATH: this.admin.configDir,
        FABRIC_LOGGING_SPEC: 'warning',
        CORE_PEER_LOCALMSPID: this.admin.mspId,
        CORE_PEER_MSPCONFIGPATH: this.admin.adminMsp,
        CORE_PEER_ADDRESS: this.admin.address,
        CORE_PEER_TLS_ENABLED: 'true',
        CORE_PEER_TLS_ROOTCERT_FILE: this.admin.tlsRootCert,
      }),
      log: this.log,
      timeoutMs,
    });
  }

  /** `peer … -o orderer --tls --cafile …` arguments. */
  static ordererArgs(orderer: OrdererTarget): string[] {
    return ['-o', orderer.address, '--tls', '--cafile', orderer.tlsRootCert];
  }

  async joinChannel(block: string): Promise<void> {
    await this.run(['channel', 'join', '-b', block]);
  }

  /** The channel's height on this peer, or undefined while the peer has not joined it. */
  async height(channel: string): Promise<number | undefined> {
    const out = await this.run(['channel', 'getinfo', '-c', channel], 10_000);
    const json = out.slice(out.indexOf('{'));
    return (JSON.parse(json) as { height?: number }).height;
  }
}
