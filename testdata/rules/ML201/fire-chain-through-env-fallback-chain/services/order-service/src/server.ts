import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createConnectTransport } from '@connectrpc/connect-node';
import { createDefaultInterceptors } from '@connectum/interceptors';

const downstream = createConnectTransport({
  baseUrl: process.env.INVENTORY_URL ?? process.env.INVENTORY_SERVICE_ADDR ?? 'http://localhost:5001',
  httpVersion: '2',
});
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: createDefaultInterceptors({ retry: { maxRetries: 2 } }),
});

await server.start();
