// Preloaded (node --import) into a city node process a test means to kill mid-flight: the process
// SIGKILLs itself the moment its relayer asks a peer to attest an ack. The relayer asks only once
// the packet's delivery transaction is final on the target (the ack's evidence proves it), and the
// ack cannot reach the source without that attestation (t = 2) — so the kill falls exactly between
// the delivery on the target and the ack on the source, every run, with no sleep to tune.
const send = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const body = init?.body;
  if (String(input).endsWith('/v1/interchain/attestations') && body instanceof Uint8Array) {
    if (JSON.parse(Buffer.from(body).toString('utf8')).kind === 'ack') process.kill(process.pid, 'SIGKILL');
  }
  return send(input, init);
};
