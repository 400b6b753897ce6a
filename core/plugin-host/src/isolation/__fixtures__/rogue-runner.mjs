// Stands in for the runner and misbehaves on the channel (used with PluginProcess's `runner`
// option): after answering `load` and `connect` properly, every `call` is preceded by traffic
// the host must refuse and name — a message of no known type, a non-object, a result for a call
// never made, and a signature asked of a key no call lent it.
process.on('message', (m) => {
  if (m.t === 'load') process.send({ t: 'ready', protocol: 2, pid: process.pid });
  else if (m.t === 'connect')
    process.send({
      t: 'result',
      id: m.id,
      value: {
        description: {
          framework: 'memory',
          adapter: { name: 'rogue', version: '1.0.0' },
          adapterApi: '1.1.0',
          frameworkVersions: [],
          keyAlgorithms: ['secp256k1'],
          finality: { kind: 'immediate' },
          capabilities: ['describe'],
          limits: { maxValueBytes: 4096, maxKeyBytes: 256, maxPageSize: 100 },
        },
        accountAlgorithms: ['secp256k1'],
      },
    });
  else if (m.t === 'call') {
    process.send({ t: 'patch-global', name: 'process', value: 'pwned' });
    process.send('not an object');
    process.send({ t: 'result', id: 987654, value: 'forged' });
    process.send({ t: 'sign-request', id: 1, handle: 424242, digest: new Uint8Array(32) });
    process.send({ t: 'denied', permission: 'FileSystemRead', resource: '/x\nerror plugin forged line', api: 'fs.readFileSync' });
    setTimeout(() => process.send({ t: 'result', id: m.id, value: { health: 'ok' } }), 50);
  } else if (m.t === 'close') process.send({ t: 'result', id: m.id });
});
process.on('disconnect', () => process.exit(0));
