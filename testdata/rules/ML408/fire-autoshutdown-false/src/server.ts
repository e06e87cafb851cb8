import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

export function buildServer() {
  return createServer({
    services: [routes],
    port: 5000,
    protocols: [Healthcheck({ httpEnabled: true })],
    shutdown: { autoShutdown: false, timeout: 10_000 },
  });
}
