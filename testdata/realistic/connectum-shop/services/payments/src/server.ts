// Payments: gRPC health only; Kubernetes probes it with grpc probes.
import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { initProvider } from '@connectum/otel';
import { paymentRoutes } from './routes.js';

initProvider({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'payments' });

const server = createServer({
  services: [paymentRoutes],
  port: 9090,
  // gRPC clients and grpc probes need HTTP/2: plaintext h2c, no HTTP/1.1.
  allowHTTP1: false,
  protocols: [Healthcheck()],
  interceptors: createDefaultInterceptors({
    bulkhead: { capacity: 50, queueSize: 50 },
    timeout: { duration: 8_000 },
  }),
  shutdown: { autoShutdown: true },
});

await server.start();
