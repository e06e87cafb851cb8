import { createServer, parseEnvConfig } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'orders' });

const env = parseEnvConfig();

const server = createServer({
  services: [routes],
  port: env.PORT,
  protocols: [Healthcheck({ httpEnabled: env.HTTP_HEALTH_ENABLED })],
  shutdown: { autoShutdown: true },
});

await server.start();
