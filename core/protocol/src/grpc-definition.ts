/** The gateway's gRPC service definition, loaded from proto/bsn_gateway.proto of this package. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const SERVICE_NAME = 'bsn.gateway.v1.Gateway';

/** This package's proto/, found upwards from src/ (tests) or dist/ (run time). */
export function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'proto', 'bsn_gateway.proto');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find proto/bsn_gateway.proto above ' + fileURLToPath(import.meta.url));
}

let cached: grpc.ServiceDefinition | undefined;

export function gatewayService(): grpc.ServiceDefinition {
  if (cached) return cached;
  const pkg = protoLoader.loadSync(protoPath(), { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(pkg) as unknown as {
    bsn: { gateway: { v1: { Gateway: { service: grpc.ServiceDefinition } } } };
  };
  cached = loaded.bsn.gateway.v1.Gateway.service;
  return cached;
}

/** `/bsn.gateway.v1.Gateway/KvPut` for `KvPut`. */
export const methodPath = (name: string): string => `/${SERVICE_NAME}/${name}`;
