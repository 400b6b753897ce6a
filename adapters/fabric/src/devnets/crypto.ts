import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runTool } from './tools.js';

/** A peer organization of the devnet: `Org1` → MSP `Org1MSP`, domain `org1.example.com`. */
export interface PeerOrgSpec {
  name: string;
  mspId: string;
  domain: string;
}

export const ORDERER_DOMAIN = 'example.com';
export const ORDERER_MSP = 'OrdererMSP';
const CHAINCODE_DOMAIN = 'chaincode.example.com';

export function peerOrg(index: number): PeerOrgSpec {
  return { name: `Org${index}`, mspId: `Org${index}MSP`, domain: `org${index}.example.com` };
}

/** A PEM certificate with its PEM (PKCS#8) private key. */
export interface CertAndKey {
  certificate: string;
  privateKey: string;
}

/** Where cryptogen put one organization's material. */
export class OrgMaterial {
  constructor(
    readonly root: string,
    readonly domain: string,
  ) {}

  /** The org's verifying MSP folder (what goes into the channel config). */
  get mspDir(): string {
    return join(this.root, 'msp');
  }

  nodeDir(host: string): string {
    return join(this.root, this.root.includes('ordererOrganizations') ? 'orderers' : 'peers', `${host}.${this.domain}`);
  }

  nodeMsp(host: string): string {
    return join(this.nodeDir(host), 'msp');
  }

  nodeTls(host: string): { cert: string; key: string; ca: string } {
    const tls = join(this.nodeDir(host), 'tls');
    return { cert: join(tls, 'server.crt'), key: join(tls, 'server.key'), ca: join(tls, 'ca.crt') };
  }

  userMsp(user: string): string {
    return join(this.root, 'users', `${user}@${this.domain}`, 'msp');
  }

  userTls(user: string): { cert: string; key: string; ca: string } {
    const tls = join(this.root, 'users', `${user}@${this.domain}`, 'tls');
    return { cert: join(tls, 'client.crt'), key: join(tls, 'client.key'), ca: join(tls, 'ca.crt') };
  }

  /** The TLS CA certificate every node of this org is served under (PEM). */
  tlsCaCertPath(): string {
    return join(this.root, 'tlsca', `tlsca.${this.domain}-cert.pem`);
  }

  /** A user's signing identity (Admin, User1). */
  identity(user: string): CertAndKey {
    const msp = this.userMsp(user);
    return {
      certificate: readFileSync(join(msp, 'signcerts', `${user}@${this.domain}-cert.pem`), 'utf8'),
      privateKey: readFileSync(onlyFile(join(msp, 'keystore')), 'utf8'),
    };
  }

  /** The org's signing CA (issues MSP identities). */
  ca(): CertAndKey {
    return {
      certificate: readFileSync(join(this.root, 'ca', `ca.${this.domain}-cert.pem`), 'utf8'),
      privateKey: readFileSync(
        onlyFile(join(this.root, 'ca'), (f) => f.endsWith('_sk')),
        'utf8',
      ),
    };
  }

  /** The org's TLS CA (issues TLS certificates). */
  tlsCa(): CertAndKey {
    return {
      certificate: readFileSync(this.tlsCaCertPath(), 'utf8'),
      privateKey: readFileSync(
        onlyFile(join(this.root, 'tlsca'), (f) => f.endsWith('_sk')),
        'utf8',
      ),
    };
  }
}

function onlyFile(dir: string, filter: (name: string) => boolean = () => true): string {
  const files = readdirSync(dir).filter(filter);
  if (files.length !== 1) throw new Error(`expected one key file in ${dir}, found ${files.length}`);
  return join(dir, files[0]!);
}

export interface CryptoMaterial {
  orderer: OrgMaterial;
  peers: Map<string, OrgMaterial>;
  /** TLS material for chaincode servers: `nodeTls('server')` (names 127.0.0.1) and its CA. */
  chaincode: OrgMaterial;
}

/**
 * Generates the network's certificates and keys with `cryptogen`: one orderer org with one
 * orderer, per peer org one peer, an Admin and one User, and a TLS certificate for chaincode
 * servers. NodeOUs are on (identities are
 * told apart as client/peer/admin/orderer by OU), and node TLS certificates also name
 * 127.0.0.1 and localhost so clients may dial the loopback address without an override.
 */
export async function generateCrypto(
  cryptogen: string,
  dir: string,
  orgs: PeerOrgSpec[],
  log: (line: string) => void,
  /** More names every node and chaincode server TLS certificate carries (container devnet). */
  extraSans: string[] = [],
): Promise<CryptoMaterial> {
  const sans = [...new Set(['localhost', '127.0.0.1', ...extraSans])];
  const config = {
    OrdererOrgs: [{ Name: 'Orderer', Domain: ORDERER_DOMAIN, EnableNodeOUs: true, Specs: [{ Hostname: 'orderer', SANS: sans }] }],
    PeerOrgs: [
      ...orgs.map((org) => ({
        Name: org.name,
        Domain: org.domain,
        EnableNodeOUs: true,
        Specs: [{ Hostname: 'peer0', SANS: sans }],
        Users: { Count: 1 },
      })),
      // Not a channel member: only its TLS CA matters, which serves chaincode servers' TLS
      // certificates (peers trust it through the root_cert in each connection.json).
      {
        Name: 'Chaincode',
        Domain: CHAINCODE_DOMAIN,
        EnableNodeOUs: true,
        Specs: [{ Hostname: 'server', SANS: sans }],
        Users: { Count: 0 },
      },
    ],
  };
  const configFile = join(dir, 'crypto-config.yaml');
  writeFileSync(configFile, stringify(config));
  const out = join(dir, 'crypto');
  await runTool(cryptogen, ['generate', `--config=${configFile}`, `--output=${out}`], { log });
  return {
    orderer: new OrgMaterial(join(out, 'ordererOrganizations', ORDERER_DOMAIN), ORDERER_DOMAIN),
    peers: new Map(orgs.map((org) => [org.mspId, new OrgMaterial(join(out, 'peerOrganizations', org.domain), org.domain)])),
    chaincode: new OrgMaterial(join(out, 'peerOrganizations', CHAINCODE_DOMAIN), CHAINCODE_DOMAIN),
  };
}
