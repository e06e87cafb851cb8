import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

export function buildServer() {
  return createServer({
    services: [routes],
    port: 5000,
    host: '127.0.0.1',
    allowHTTP1: false,
    protocols: [Healthcheck()],
    shutdown: { autoShutdown: true },
  });
}
