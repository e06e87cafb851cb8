// The ledger keeps its own TLS: it runs in a namespace outside the mesh
// (compliance boundary) and the gateway reaches it over TLS that the
// gateway's sidecar originates.
import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { initProvider } from '@connectum/otel';
import { ledgerRoutes } from './routes.js';

initProvider({ serviceName: 'ledger' });

const server = createServer({
  services: [ledgerRoutes],
  port: 7443,
  tls: { dirPath: process.env.TLS_DIR_PATH ?? '/var/run/tls' },
  protocols: [Healthcheck()],
  interceptors: createDefaultInterceptors({
    bulkhead: { capacity: 32, queueSize: 64 },
  }),
  shutdown: { autoShutdown: true, timeout: 25_000 },
});

await server.start();
