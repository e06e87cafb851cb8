import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'order-service', serviceVersion: '1.0.0' });

const server = createServer({
  services: [routes],
  port: 5000,
  tls: {
    keyPath: '/etc/tls/tls.key',
    certPath: '/etc/tls/tls.crt',
  },
  protocols: [Healthcheck({ httpEnabled: true })],
});

await server.start();
