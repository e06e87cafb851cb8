import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createGrpcTransport } from '@connectrpc/connect-node';
import routes from './routes.js';

export const inventory = createGrpcTransport({ baseUrl: 'http://inventory' });

const server = createServer({
  services: [routes],
  port: 5000,
  allowHTTP1: false,
  protocols: [Healthcheck()],
});

await server.start();
