import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'order-service', serviceVersion: '1.0.0' });

const server = createServer({
  services: [routes],
  port: Number(process.env.PORT ?? 5000),
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});

await server.start();
