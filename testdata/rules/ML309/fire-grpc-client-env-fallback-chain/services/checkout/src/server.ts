import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createGrpcTransport } from '@connectrpc/connect-node';
import routes from './routes.js';

export const inventory = createGrpcTransport({
  baseUrl: process.env.INVENTORY_URL ?? process.env.INVENTORY_SERVICE_ADDR ?? 'http://inventory:7000',
});

const server = createServer({
  services: [routes],
  port: 5000,
  allowHTTP1: false,
  protocols: [Healthcheck()],
});

await server.start();
