import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { Reflection } from '@connectum/reflection';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { initProvider } from '@connectum/otel';
import { createGrpcTransport } from '@connectrpc/connect-node';
import routes from './routes.js';

initProvider({ serviceName: 'order-service', serviceVersion: '2.3.0' });

export const inventory = createGrpcTransport({
  baseUrl: process.env.INVENTORY_URL ?? 'http://inventory-service.shop:5000',
});

const port = Number(process.env.PORT ?? 5000);

const server = createServer({
  services: [routes],
  port,
  tls: { dirPath: '/etc/tls' },
  protocols: [Healthcheck(), Reflection()],
  interceptors: createDefaultInterceptors({
    circuitBreaker: { threshold: 3 },
    timeout: { duration: 10_000 },
    retry: { maxRetries: 2 },
    bulkhead: { capacity: 20, queueSize: 10 },
  }),
  shutdown: { autoShutdown: true, timeout: 30_000 },
});

await server.start();
