import { stringify } from 'yaml';

/**
 * core.yaml and orderer.yaml for processes on 127.0.0.1, written whole (Fabric reads only
 * FABRIC_CFG_PATH's file; nothing is taken from upstream's sampleconfig). Values not set here
 * fall back to Fabric's compiled-in defaults.
 */

export interface PeerConfig {
  id: string;
  mspId: string;
  mspDir: string;
  tls: { cert: string; key: string; ca: string };
  port: number;
  chaincodePort: number;
  operationsPort: number;
  dataDir: string;
  /** Folders holding bin/detect, bin/build, bin/release. */
  externalBuilders: Array<{ name: string; path: string }>;
}

const duration = (ms: number) => `${ms}ms`;

export function peerCoreYaml(c: PeerConfig): string {
  const address = `127.0.0.1:${c.port}`;
  return stringify({
    peer: {
      id: c.id,
      networkId: 'bsn-devnet',
      listenAddress: address,
      address,
      addressAutoDetect: false,
      chaincodeListenAddress: `127.0.0.1:${c.chaincodePort}`,
      chaincodeAddress: `127.0.0.1:${c.chaincodePort}`,
      gateway: { enabled: true, endorsementTimeout: '30s', broadcastTimeout: '30s', dialTimeout: '2m' },
      keepalive: {
        interval: '7200s',
        timeout: '20s',
        minInterval: '60s',
        client: { interval: '60s', timeout: '20s' },
        deliveryClient: { interval: '60s', timeout: '20s' },
      },
      gossip: {
        // One peer per org: it leads its org (pulls blocks from the orderer itself) and is the
        // org's anchor peer, announced in the channel config, through which the orgs meet.
        bootstrap: address,
        externalEndpoint: address,
        useLeaderElection: false,
        orgLeader: true,
        membershipTrackerInterval: '5s',
        maxBlockCountToStore: 10,
        maxPropagationBurstLatency: '10ms',
        maxPropagationBurstSize: 10,
        propagateIterations: 1,
        propagatePeerNum: 3,
        pullInterval: '4s',
        pullPeerNum: 3,
        // Faster than Fabric's 4 s so that discovery learns about newly committed chaincode quickly.
        requestStateInfoInterval: duration(1000),
        publishStateInfoInterval: duration(1000),
        publishCertPeriod: '10s',
        skipBlockVerification: false,
        dialTimeout: '3s',
        connTimeout: '2s',
        recvBuffSize: 20,
        sendBuffSize: 200,
        digestWaitTime: '1s',
        requestWaitTime: '1500ms',
        responseWaitTime: '2s',
        // Peers learn of each other from alive messages: Fabric's 5 s period made cross-org
        // membership (and so two-org endorsement) take up to ~8 s after joining.
        aliveTimeInterval: '1s',
        aliveExpirationTimeout: '25s',
        // Fabric's 25 s would leave the orgs strangers for that long whenever the first
        // handshake happens before the other peer has joined the channel.
        reconnectInterval: '1s',
        maxConnectionAttempts: 120,
        msgExpirationFactor: 20,
        election: { startupGracePeriod: '15s', membershipSampleInterval: '1s', leaderAliveThreshold: '10s', leaderElectionDuration: '5s' },
        pvtData: {
          pullRetryThreshold: '60s',
          transientstoreMaxBlockRetention: 1000,
          pushAckTimeout: '3s',
          btlPullMargin: 10,
          reconcileBatchSize: 10,
          reconcileSleepInterval: '1m',
          reconciliationEnabled: true,
          skipPullingInvalidTransactionsDuringCommit: false,
          implicitCollectionDisseminationPolicy: { requiredPeerCount: 0, maxPeerCount: 1 },
        },
        state: { enabled: false, checkInterval: '10s', responseTimeout: '3s', batchSize: 10, blockBufferSize: 20, maxRetries: 3 },
      },
      tls: {
        enabled: true,
        clientAuthRequired: false,
        cert: { file: c.tls.cert },
        key: { file: c.tls.key },
        rootcert: { file: c.tls.ca },
        clientRootCAs: { files: [c.tls.ca] },
      },
      authentication: { timewindow: '15m' },
      fileSystemPath: c.dataDir,
      BCCSP: { Default: 'SW', SW: { Hash: 'SHA2', Security: 256 } },
      mspConfigPath: c.mspDir,
      localMspId: c.mspId,
      client: { connTimeout: '3s' },
      deliveryclient: {
        blockGossipEnabled: true,
        reconnectTotalTimeThreshold: '3600s',
        connTimeout: '3s',
        reConnectBackoffThreshold: '3600s',
      },
      localMspType: 'bccsp',
      profile: { enabled: false },
      handlers: {
        authFilters: [{ name: 'DefaultAuth' }, { name: 'ExpirationCheck' }],
        decorators: [{ name: 'DefaultDecorator' }],
        endorsers: { escc: { name: 'DefaultEndorsement' } },
        validators: { vscc: { name: 'DefaultValidation' } },
      },
      discovery: {
        enabled: true,
        authCacheEnabled: true,
        authCacheMaxSize: 1000,
        authCachePurgeRetentionRatio: 0.75,
        orgMembersAllowedAccess: false,
      },
      limits: { concurrency: { endorserService: 2500, deliverService: 2500, gatewayService: 500 } },
      maxRecvMsgSize: 104857600,
      maxSendMsgSize: 104857600,
    },
    // No Docker: an empty endpoint turns the Docker chaincode runtime off; chaincode runs
    // only through the external builders below (chaincode as a service).
    vm: { endpoint: '' },
    chaincode: {
      externalBuilders: c.externalBuilders.map((b) => ({ name: b.name, path: b.path })),
      installTimeout: '300s',
      startuptimeout: '300s',
      executetimeout: '30s',
      mode: 'net',
      keepalive: 0,
      system: { _lifecycle: 'enable', cscc: 'enable', lscc: 'enable', qscc: 'enable' },
      logging: { level: 'info', shim: 'warning' },
    },
    ledger: {
      state: { stateDatabase: 'goleveldb', totalQueryLimit: 100000 },
      history: { enableHistoryDatabase: true },
      pvtdataStore: {
        collElgProcMaxDbBatchSize: 5000,
        collElgProcDbBatchesInterval: 1000,
        deprioritizedDataReconcilerInterval: '60m',
        purgeInterval: 100,
        purgedKeyAuditLogging: true,
      },
      snapshots: { rootDir: `${c.dataDir}/snapshots` },
    },
    operations: { listenAddress: `127.0.0.1:${c.operationsPort}`, tls: { enabled: false } },
    metrics: { provider: 'prometheus' },
  });
}

export interface OrdererConfig {
  mspId: string;
  mspDir: string;
  tls: { cert: string; key: string; ca: string };
  port: number;
  adminPort: number;
  operationsPort: number;
  dataDir: string;
  /** TLS CAs whose client certificates may use the admin (channel participation) API. */
  adminClientCAs: string[];
}

export function ordererYaml(c: OrdererConfig): string {
  return stringify({
    General: {
      ListenAddress: '127.0.0.1',
      ListenPort: c.port,
      TLS: {
        Enabled: true,
        PrivateKey: c.tls.key,
        Certificate: c.tls.cert,
        RootCAs: [c.tls.ca],
        ClientAuthRequired: false,
      },
      Keepalive: { ServerMinInterval: '60s', ServerInterval: '7200s', ServerTimeout: '20s' },
      MaxRecvMsgSize: 104857600,
      MaxSendMsgSize: 104857600,
      // Raft cluster traffic shares the main listener (and its TLS certificate).
      Cluster: { SendBufferSize: 100 },
      // No system channel: channels are joined through the channel participation API.
      BootstrapMethod: 'none',
      LocalMSPDir: c.mspDir,
      LocalMSPID: c.mspId,
      Profile: { Enabled: false },
      BCCSP: { Default: 'SW', SW: { Hash: 'SHA2', Security: 256 } },
      Authentication: { TimeWindow: '15m' },
    },
    FileLedger: { Location: `${c.dataDir}/ledger` },
    Operations: { ListenAddress: `127.0.0.1:${c.operationsPort}`, TLS: { Enabled: false } },
    Metrics: { Provider: 'prometheus' },
    Admin: {
      ListenAddress: `127.0.0.1:${c.adminPort}`,
      TLS: {
        Enabled: true,
        Certificate: c.tls.cert,
        PrivateKey: c.tls.key,
        ClientAuthRequired: true,
        ClientRootCAs: c.adminClientCAs,
      },
    },
    ChannelParticipation: { Enabled: true, MaxRequestBodySize: '1 MB' },
    Consensus: { WALDir: `${c.dataDir}/etcdraft/wal`, SnapDir: `${c.dataDir}/etcdraft/snapshot` },
  });
}
