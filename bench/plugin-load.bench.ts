/**
 * Plugin host and key algorithm benchmarks (run through `npm run bench`).
 *  - verify+load of a certified 300-file plugin (median over distinct folders, so every
 *    load really imports its entry; goal < 50 ms), and the content digest alone;
 *  - sign and verify rates for secp256k1, secp256r1 and sm2 through core's crypto module,
 *    as ratios against node:crypto (k1, r1) and against sm-crypto (sm2).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import smCrypto from 'sm-crypto';
import { generatePrivateKey, publicKeyOf, signMessage, verifyMessage, toHex } from '@bsn/contract';
import type { KeyAlgorithm } from '@bsn/contract';
import { issueCertificate, writeCertificate, CERTIFICATE_FILE, computePluginDigest, PluginHost } from '@bsn/plugin-host';
import { makeCertifier, makePluginFolder, FIXTURE_SUITE, makeReport } from '@bsn/plugin-host/testing';
import { emit, median, silent } from './report.js';

const BENCH = 'plugin-load';

async function pluginLoad(): Promise<void> {
  const RUNS = 15;
  const certifier = makeCertifier('Bench Certifier');
  const host = new PluginHost({ trustedCertifiers: [certifier.trust], logger: silent });
  const folders: string[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    // 5 base files + 295 generated = 300 files in the digest
    const { folder } = await makePluginFolder({ extraFiles: 295, name: `@bench/adapter-${i}` });
    const digest = await computePluginDigest(folder);
    if (digest.files !== 300) throw new Error(`fixture has ${digest.files} files, expected 300`);
    const report = makeReport({ name: `@bench/adapter-${i}`, version: '1.0.0', framework: 'ethereum', digest: digest.digest });
    await writeCertificate(join(folder, CERTIFICATE_FILE), issueCertificate(report, certifier.key, { suite: FIXTURE_SUITE }));
    folders.push(folder);
  }
  try {
    await host.load(folders[0]!); // warm-up: schema compilation, module caches
    const loads: number[] = [];
    for (const folder of folders.slice(1)) {
      const t = performance.now();
      const loaded = await host.load(folder);
      loads.push(performance.now() - t);
      if (!loaded.verification.certified) throw new Error('not certified');
    }
    emit({
      bench: BENCH,
      metric: `verify+load, certified 300-file plugin (median of ${RUNS})`,
      value: median(loads),
      unit: 'ms',
      goal: '<50',
    });
    const digests: number[] = [];
    for (const folder of folders.slice(1)) {
      const t = performance.now();
      await computePluginDigest(folder);
      digests.push(performance.now() - t);
    }
    emit({ bench: BENCH, metric: `content digest, 300 files (median of ${RUNS})`, value: median(digests), unit: 'ms', goal: '<50' });
  } finally {
    await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
  }
}

/** ops/s of `fn`, run for at least `ms` after a short warm-up. */
function rate(fn: () => unknown, ms = 400): number {
  for (let i = 0; i < 10; i++) fn();
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (n / elapsed) * 1000;
}

function nodeKeys(alg: 'secp256k1' | 'secp256r1', privateKey: Uint8Array): { priv: KeyObject; pub: KeyObject } {
  // Import our key into node:crypto so both sides sign with the same key.
  const crv = alg === 'secp256k1' ? 'secp256k1' : 'P-256';
  const pub = publicKeyOf(alg, privateKey);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
  const jwk = { kty: 'EC', crv, d: b64(privateKey), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33, 65)) };
  return { priv: createPrivateKey({ key: jwk, format: 'jwk' }), pub: createPublicKey({ key: { ...jwk, d: undefined }, format: 'jwk' }) };
}

function cryptoRates(): void {
  const message = new Uint8Array(256).map((_, i) => (i * 31) & 0xff);
  for (const alg of ['secp256k1', 'secp256r1', 'sm2'] as KeyAlgorithm[]) {
    const privateKey = generatePrivateKey(alg);
    const publicKey = publicKeyOf(alg, privateKey);
    const signature = signMessage(alg, privateKey, message);
    if (!verifyMessage(alg, publicKey, message, signature)) throw new Error(`${alg}: own signature does not verify`);
    const ourSign = rate(() => signMessage(alg, privateKey, message));
    const ourVerify = rate(() => verifyMessage(alg, publicKey, message, signature));
    let baseSign: number | undefined;
    let baseVerify: number | undefined;
    let baseline: string;
    if (alg === 'sm2') {
      baseline = 'sm-crypto';
      const privHex = toHex(privateKey);
      const pubHex = toHex(publicKey);
      const msg = Array.from(message);
      const sig = smCrypto.sm2.doSignature(msg, privHex, { hash: true, publicKey: pubHex });
      if (!smCrypto.sm2.doVerifySignature(msg, sig, pubHex, { hash: true })) throw new Error('sm-crypto baseline does not verify');
      baseSign = rate(() => smCrypto.sm2.doSignature(msg, privHex, { hash: true, publicKey: pubHex }));
      baseVerify = rate(() => smCrypto.sm2.doVerifySignature(msg, sig, pubHex, { hash: true }));
    } else {
      baseline = 'node:crypto';
      const { priv, pub } = nodeKeys(alg, privateKey);
      const opts = { dsaEncoding: 'ieee-p1363' as const };
      const sig = nodeSign('sha256', message, { key: priv, ...opts });
      if (!nodeVerify('sha256', message, { key: pub, ...opts }, signature))
        throw new Error(`${alg}: node:crypto does not verify our signature`);
      baseSign = rate(() => nodeSign('sha256', message, { key: priv, ...opts }));
      baseVerify = rate(() => nodeVerify('sha256', message, { key: pub, ...opts }, sig));
    }
    emit({ bench: 'crypto', metric: `${alg} sign`, value: ourSign, unit: 'ops/s', ratio: ourSign / baseSign, baseline });
    emit({ bench: 'crypto', metric: `${alg} verify`, value: ourVerify, unit: 'ops/s', ratio: ourVerify / baseVerify, baseline });
  }
}

await pluginLoad();
cryptoRates();
