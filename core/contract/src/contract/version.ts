/**
 * The adaptation standard's version. Plugins declare the range they implement in their
 * manifest (`adapterApi`); the host refuses a plugin whose range does not include this.
 * Minor: additions that old adapters need not implement (new optional capability).
 * Major: anything an existing adapter or caller would notice.
 */
// 1.1.0: `Gateway.block`/`transaction` take an optional app scope; capability `lifecycle.dedicated`;
// optional `Signer.signMessage`.
// 1.2.0: the delivery half of interchain, optional with `interchain.deliver` (configureDelivery,
// setGrant, deliver, recordTimeout, acknowledge, closeTimedOut, packetState); evidence of acks and timeouts.
export const ADAPTER_API_VERSION = '1.2.0';
