/**
 * What the operator sees of each configured plugin: loaded or refused (and why), and the
 * certificate it was loaded under — full or provisional, who certified it, until when — with
 * a summary of the conformance report that earned it when the node has that report.
 */
export interface ConformanceSummary {
  suite: string;
  target: string;
  /** The report's SHA-256 equals the one its certificate names: this is the run that was certified. */
  matchesCertificate: boolean;
  passed: number;
  failed: number;
  skipped: number;
  cases: Array<{ id: string; level: string; title: string; outcome: string; ms?: number }>;
}

export interface PluginStatus {
  source: string;
  loaded: boolean;
  plugin?: string;
  framework?: string;
  certified?: boolean;
  /** `refused` when the host refused it; else the certificate's level (absent in development mode). */
  state: 'full' | 'provisional' | 'uncertified' | 'refused';
  certifier?: string;
  issuedAt?: string;
  expiresAt?: string;
  /** Why it was refused (`certificate-missing`, `digest-mismatch`, …), and in words. */
  reason?: string;
  message?: string;
  report?: ConformanceSummary;
}
