import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createConnectTransport } from '@connectrpc/connect-node';
import { createDefaultInterceptors } from '@connectum/interceptors';

const downstream = createConnectTransport({ baseUrl: 'http://order-service.shop:5000', httpVersion: '2' });
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: createDefaultInterceptors({ retry: { maxRetries: 2 } }),
});

await server.start();
