import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

export function buildServer(port: number, http1 = true) {
  return createServer({
    services: [routes],
    port,
    allowHTTP1: http1,
    protocols: [Healthcheck()],
  });
}
