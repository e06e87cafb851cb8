import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createGrpcTransport, createConnectTransport } from '@connectrpc/connect-node';
import routes from './routes.js';

export const inventory = createGrpcTransport({ baseUrl: 'http://inventory.shop:7000' });
export const inventoryConnect = createConnectTransport({ baseUrl: 'http://inventory.shop:7000', httpVersion: '1.1' });

const server = createServer({
  services: [routes],
  port: 5000,
  allowHTTP1: false,
  protocols: [Healthcheck()],
});

await server.start();
