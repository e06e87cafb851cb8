import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { initProvider } from '@connectum/otel';
import { notifierRoutes } from './routes.js';

initProvider({ serviceName: 'notifier', serviceVersion: process.env.VERSION });

const server = createServer({
  services: [notifierRoutes],
  port: Number(process.env.PORT ?? 7000),
  allowHTTP1: false,
  protocols: [Healthcheck({ httpEnabled: process.env.HTTP_HEALTH_ENABLED === 'true' })],
  interceptors: createDefaultInterceptors({
    retry: { maxRetries: 3, retryableCodes: ['Unavailable'] },
  }),
  shutdown: { autoShutdown: true, timeout: 20_000 },
});

await server.start();
