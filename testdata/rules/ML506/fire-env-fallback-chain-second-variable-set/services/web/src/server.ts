import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createConnectTransport } from '@connectrpc/connect-node';
import routes from './routes.js';

export const orders = createConnectTransport({
  // ORDERS_URL for local runs, ORDERS_ADDR as the Helm chart names it.
  baseUrl: process.env.ORDERS_URL ?? process.env.ORDERS_ADDR ?? "http://localhost:5000",
  httpVersion: '2',
});

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck()],
});

await server.start();
