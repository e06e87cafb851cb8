// Orders: takes orders and charges them through payments. The handler is
// idempotent (keyed by order id), so Connectum retries Unavailable itself and
// the mesh does not retry on top of it.
import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { Reflection } from '@connectum/reflection';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { initProvider } from '@connectum/otel';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { orderRoutes } from './routes.js';

initProvider({ serviceName: 'orders', serviceVersion: '1.4.0' });

const paymentsTransport = createGrpcTransport({
  baseUrl: process.env.PAYMENTS_URL ?? 'http://payments.shop.svc.cluster.local:9090',
});

// The catalog serves the Connect protocol over HTTP/1.1.
const catalogTransport = createConnectTransport({
  baseUrl: 'http://catalog.shop.svc.cluster.local:8080',
  httpVersion: '1.1',
});

const server = createServer({
  services: [orderRoutes({ payments: paymentsTransport, catalog: catalogTransport })],
  port: 9090,
  protocols: [Healthcheck({ httpEnabled: true }), Reflection()],
  interceptors: createDefaultInterceptors({
    retry: { maxRetries: 2, initialDelay: 100 },
    timeout: { duration: 4_000 },
    circuitBreaker: { threshold: 5 },
  }),
  shutdown: { autoShutdown: true, timeout: 15_000 },
});

await server.start();
