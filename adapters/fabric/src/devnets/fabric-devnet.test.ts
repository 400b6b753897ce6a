import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ccaasPackage } from './chaincode.js';
import { FabricDevnet } from './fabric-devnet.js';
import { openContracts } from './gateway-probe.js';
import type { FabricNetworkConfig } from './network-config.js';

function fetchOverMtls(url: string, orderer: FabricNetworkConfig['orderer']): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      url,
      {
        ca: orderer.tlsRootCert,
        cert: orderer.adminTlsClient.certificate,
        key: orderer.adminTlsClient.privateKey,
      },
      (response) => {
        let body = '';
        response.on('data', (d: Buffer) => (body += d.toString()));
        response.on('end', () =>
          response.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${response.statusCode}: ${body}`)),
        );
      },
    );
    request.on('error', reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

describe('Fabric devnet', () => {
  it('packages connection.json as a deterministic ccaas chaincode package', () => {
    const one = ccaasPackage('kv_1.0', '127.0.0.1:9999');
    const two = ccaasPackage('kv_1.0', '127.0.0.1:9999');
    expect(one.packageId).toBe(two.packageId);
    expect(one.packageId).toMatch(/^kv_1\.0:[0-9a-f]{64}$/);
    expect(ccaasPackage('kv_1.0', '127.0.0.1:9998').packageId).not.toBe(one.packageId);
    if (spawnSync('tar', ['--version']).status !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'bsn-ccaas-'));
    writeFileSync(join(dir, 'pkg.tar.gz'), one.bytes);
    expect(spawnSync('tar', ['-xzf', 'pkg.tar.gz'], { cwd: dir }).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'))).toEqual({ type: 'ccaas', label: 'kv_1.0' });
    expect(spawnSync('tar', ['-xzf', 'code.tar.gz'], { cwd: dir }).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'connection.json'), 'utf8'))).toMatchObject({ address: '127.0.0.1:9999' });
  });

  it('boots a two-org Raft network, commits a transaction endorsed by both orgs through the Gateway, and stops every process', async (ctx) => {
    const devnet = new FabricDevnet();
    const availability = await devnet.available();
    if (!availability.ok) {
      console.warn(`skipped fabric: ${availability.reason}`);
      return ctx.skip(availability.reason);
    }
    const t0 = Date.now();
    const started = await devnet.start();
    console.info(`fabric devnet up in ${Date.now() - t0} ms (${started.node}); logs: ${started.logDir}`);
    const processes = started.processes();
    const connections: Array<() => void> = [];
    try {
      const network = started.network;
      expect(network.framework).toBe('fabric');
      expect(started.node).toContain('2.5.9');
      expect(processes.map((p) => p.name)).toEqual(['orderer', 'peer0.org1.example.com', 'peer0.org2.example.com', 'chaincode devnet-kv']);
      expect(network.organizations.map((o) => o.mspId)).toEqual(['Org1MSP', 'Org2MSP']);
      for (const org of network.organizations) {
        expect(org.peers[0]!.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
        for (const pem of [org.peers[0]!.tlsRootCert, org.admin.certificate, org.user.certificate, org.ca.certificate]) {
          expect(pem).toContain('-----BEGIN CERTIFICATE-----');
        }
        for (const key of [org.admin.privateKey, org.user.privateKey, org.ca.privateKey]) {
          expect(createPrivateKey(key).asymmetricKeyType).toBe('ec');
        }
      }
      expect(network.orderer.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(network.orderer.adminEndpoint).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(createPrivateKey(network.orderer.adminTlsClient.privateKey).asymmetricKeyType).toBe('ec');
      // The admin API answers with the client certificate from the config alone.
      const channels = await fetchOverMtls(
        `https://${network.orderer.adminEndpoint}/participation/v1/channels/${network.channel}`,
        network.orderer,
      );
      expect(channels).toMatchObject({ name: network.channel, status: 'active', consensusRelation: 'consenter' });
      expect(network.chaincodes[0]).toMatchObject({ name: 'devnet-kv', endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" });

      const { contracts, close } = openContracts(network);
      connections.push(close);
      const [contract1, contract2] = [contracts[0]!, contracts[1]!];

      const heightBefore = await started.height('Org1MSP');
      const key = `key-${Date.now()}`;
      const submitted = await contract1.submitAsync('put', { arguments: [key, 'hello fabric'] });
      const status = await submitted.getStatus();
      expect(status.successful).toBe(true);
      expect(Number(status.blockNumber)).toBeGreaterThanOrEqual(heightBefore);
      expect(Buffer.from(await contract1.evaluateTransaction('get', key)).toString()).toBe('hello fabric');
      // The other org's peer committed the same block.
      await expect
        .poll(async () => Buffer.from(await contract2.evaluateTransaction('get', key)).toString(), { timeout: 10_000 })
        .toBe('hello fabric');
      expect(await started.height('Org1MSP')).toBeGreaterThan(heightBefore);

      // The policy really needs both orgs: endorsed by Org1 alone, the transaction is
      // ordered but invalidated (ENDORSEMENT_POLICY_FAILURE) and writes nothing.
      const lone = await contract1.submitAsync('put', { arguments: [key, 'org1 only'], endorsingOrganizations: ['Org1MSP'] });
      const loneStatus = await lone.getStatus();
      expect(loneStatus.successful).toBe(false);
      expect(loneStatus.code).toBe(10); // TxValidationCode.ENDORSEMENT_POLICY_FAILURE
      expect(Buffer.from(await contract2.evaluateTransaction('get', key)).toString()).toBe('hello fabric');
    } finally {
      for (const close of connections) close();
      await started.stop();
      await started.stop(); // stopping twice is harmless
    }
    for (const { name, pid } of processes) {
      expect(pid, name).toBeTypeOf('number');
      expect(alive(pid!), `${name} (pid ${pid}) still running`).toBe(false);
      expect(alive(-pid!), `${name}'s process group still running`).toBe(false);
    }
    expect(existsSync(join(started.logDir, 'peer0.org1.example.com.log'))).toBe(true);
    expect(readFileSync(started.logFile!, 'utf8')).toContain('stopped');
  }, 180_000);
});
