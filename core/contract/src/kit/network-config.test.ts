import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetworkConfig } from '../contract/adapter.js';
import { readNetworkConfig } from './network-config.js';

const SCHEMA = new URL('./__fixtures__/network-config.schema.json', import.meta.url);
const good = { framework: 'acme', name: 'dev', url: 'http://127.0.0.1:8545', peers: [{ endpoint: 'peer0:7051' }] };
const refused = (field: string) => expect.objectContaining({ code: 'INVALID_INPUT', stage: 'validate', field });

interface AcmeConfig extends NetworkConfig {
  url: string;
  peers: Array<{ endpoint: string }>;
}

describe('readNetworkConfig', () => {
  it('returns a config that matches the schema, as the plugin types it', () => {
    const config = readNetworkConfig<AcmeConfig>(good, SCHEMA);
    expect(config).toBe(good);
    expect(config.peers[0]!.endpoint).toBe('peer0:7051');
  });

  it.each([
    [null, '/'],
    ['acme', '/'],
    [{ ...good, framework: 'other' }, '/framework'],
    [{ ...good, name: '' }, '/name'],
    [{ ...good, url: undefined }, '/url'],
    [{ ...good, url: 'ws://x' }, '/url'],
    [{ ...good, url: 'http://a b' }, '/url'],
    [{ ...good, timeoutMs: 99 }, '/timeoutMs'],
    [{ ...good, timeoutMs: 1.5 }, '/timeoutMs'],
    [{ ...good, peers: [] }, '/peers'],
    [{ ...good, peers: [{ endpoint: 'no port' }] }, '/peers/0/endpoint'],
    [{ ...good, peers: [{}] }, '/peers/0/endpoint'],
    [{ ...good, surprise: 1 }, '/surprise'],
  ])('refuses %o as INVALID_INPUT at %s', (network, field) => {
    expect(() => readNetworkConfig(network, SCHEMA)).toThrow(refused(field));
  });

  it('lists every violation, one per line, the first naming the field', () => {
    let message = '';
    try {
      readNetworkConfig({ ...good, framework: 'other', timeoutMs: 5, peers: [{ endpoint: 'x' }] }, SCHEMA);
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field: '/framework' });
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'network config of dev does not match its schema:',
      'network /framework: must be "acme" (got "other")',
      expect.stringMatching(/^network \/timeoutMs: must be >= 100 \(got 5\)$/),
      expect.stringMatching(/^network \/peers\/0\/endpoint: must match the pattern .* \(got "x"\)$/),
    ]);
  });

  describe('the schema file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bsn-kit-schema-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const schemaAt = (name: string, text: string): URL => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return pathToFileURL(file);
    };

    it('is compiled once per URL', () => {
      const url = schemaAt('once.json', JSON.stringify({ type: 'object', required: ['name'] }));
      expect(() => readNetworkConfig({ framework: 'x' }, url)).toThrow(refused('/name'));
      // the file changes; the validator compiled at first use stays
      writeFileSync(url, JSON.stringify({ type: 'object' }));
      expect(() => readNetworkConfig({ framework: 'x' }, url)).toThrow(refused('/name'));
      const other = schemaAt('other.json', JSON.stringify({ type: 'object' }));
      expect(readNetworkConfig({ framework: 'x' }, other)).toEqual({ framework: 'x' });
    });

    it('refuses a missing or unusable schema as a packaging error naming the file, never as bad input', () => {
      for (const url of [
        pathToFileURL(join(dir, 'missing.json')),
        schemaAt('not-json.json', '{'),
        schemaAt('not-a-schema.json', JSON.stringify({ type: 'no-such-type' })),
      ]) {
        let caught: unknown;
        try {
          readNetworkConfig(good, url);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(Error);
        expect(caught).not.toHaveProperty('code');
        expect((caught as Error).message).toContain(url.pathname.split('/').pop());
      }
    });
  });
});
