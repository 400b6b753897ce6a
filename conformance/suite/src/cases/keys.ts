import { expect } from 'vitest';
import { BsnIdentity, bindAccount, createNetworkCa, issueIdentityCertificate, verifyBinding } from '@bsn/contract';
import { defineCases } from '../case.js';

export const keyCases = defineCases([
  {
    id: 'KEY-001',
    title: 'chain accounts are a deterministic function of the public key, distinct per key',
    level: 'MUST',
    capability: 'identity.derive',
    async run({ adapter, algorithm, admin, member }) {
      const again = await adapter.identity.accountFor(admin.signer.publicKey, algorithm);
      expect(again.id).toBe(admin.account.id);
      expect(again.publicKey).toBe(admin.account.publicKey);
      expect(member.account.id).not.toBe(admin.account.id);
      expect(adapter.identity.accountAlgorithms()).toContain(algorithm);
    },
  },
  {
    id: 'KEY-002',
    title: 'one BSN identity derives the same chain account every time, and a different one per identity',
    level: 'MUST',
    capability: 'identity.derive',
    async run({ adapter, description, algorithm }) {
      const identity = BsnIdentity.generate();
      const restored = BsnIdentity.fromSecret(identity.exportSecret());
      const a = await adapter.identity.accountFor(identity.keyFor(description.framework, algorithm).publicKey, algorithm);
      const b = await adapter.identity.accountFor(restored.keyFor(description.framework, algorithm).publicKey, algorithm);
      const other = await adapter.identity.accountFor(BsnIdentity.generate().keyFor(description.framework, algorithm).publicKey, algorithm);
      expect(b.id).toBe(a.id);
      expect(other.id).not.toBe(a.id);
    },
  },
  {
    id: 'KEY-003',
    title: 'a derived account binds to its identity; the binding verifies and a swapped account is refused',
    level: 'MUST',
    capability: 'identity.bind',
    async run({ description, admin, member }) {
      const ca = await createNetworkCa({ name: 'conformance CA', validityDays: 1 });
      const cert = await issueIdentityCertificate(ca, {
        userId: 'conformance-admin',
        publicKey: admin.identity.masterPublicKey,
        validityDays: 1,
      });
      const binding = bindAccount(admin.identity, cert, {
        framework: description.framework,
        algorithm: admin.signer.algorithm,
        id: admin.account.id,
        publicKey: admin.signer.publicKey,
      });
      const ok = await verifyBinding(binding, { caCertificatePem: ca.certificatePem, identityCertificatePem: cert });
      expect(ok.ok ? ok.account : ok.reason).toBe(admin.account.id);
      const swapped = { ...binding, payload: { ...binding.payload, account: member.account.id } };
      const refused = await verifyBinding(swapped, { caCertificatePem: ca.certificatePem, identityCertificatePem: cert });
      expect(refused.ok).toBe(false);
    },
  },
  {
    id: 'KEY-004',
    title: 'provisioning an account is idempotent',
    level: 'MUST',
    capability: 'identity.derive',
    async run({ adapter, admin }) {
      const again = await adapter.identity.provision(admin.signer);
      expect(again.id).toBe(admin.account.id);
    },
  },
]);
