import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { config } from './config.js';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'orders' });

const server = createServer({
  services: [routes],
  protocols: [Healthcheck({ httpEnabled: config.httpHealth })],
});

await server.start();
