// Catalog: read-mostly product lookups. Health over HTTP so that the
// platform's generic httpGet probes work.
import { createServer } from '@connectum/core';
import { Healthcheck, healthcheckManager } from '@connectum/healthcheck';
import { Reflection } from '@connectum/reflection';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { initProvider } from '@connectum/otel';
import { catalogRoutes } from './routes.js';
import { openPool } from './db.js';

initProvider({
  serviceName: 'catalog',
  serviceVersion: process.env.APP_VERSION ?? '0.0.0-dev',
});

const pool = await openPool(process.env.DATABASE_URL);

const server = createServer({
  services: [catalogRoutes(pool)],
  port: Number(process.env.PORT ?? 8080),
  host: '0.0.0.0',
  protocols: [Healthcheck({ httpEnabled: true }), Reflection()],
  interceptors: createDefaultInterceptors({
    timeout: { duration: 5_000 },
  }),
  shutdown: { autoShutdown: true, timeout: 20_000 },
});

server.on('ready', () => {
  healthcheckManager.update('SERVING');
});

await server.start();
