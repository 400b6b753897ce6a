import { createHash } from 'node:crypto';

/**
 * The channel a dedicated app lives on: `app-` and 40 hex digits of SHA-256 over the app id.
 * Any app id (up to 128 characters, mixed case, `._:-`) maps to a valid Fabric channel name
 * (lowercase `[a-z][a-z0-9.-]*`, under 250 characters), and every adapter instance computes
 * the same one without asking anybody.
 */
export function dedicatedChannelName(appId: string): string {
  return `app-${createHash('sha256').update(appId, 'utf8').digest('hex').slice(0, 40)}`;
}
