import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createConnectTransport } from '@connectrpc/connect-node';
import routes from './routes.js';

export const orders = createConnectTransport({
  baseUrl: process.env.ORDERS_URL,
  httpVersion: '2',
});

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck()],
});

await server.start();
