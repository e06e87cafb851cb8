import { createServer, parseEnvConfig } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'orders' });

const config = parseEnvConfig();

const server = createServer({
  services: [routes],
  port: config.PORT,
  protocols: [Healthcheck()],
  shutdown: {
    autoShutdown: config.GRACEFUL_SHUTDOWN_ENABLED,
    timeout: config.GRACEFUL_SHUTDOWN_TIMEOUT_MS,
  },
});

await server.start();
