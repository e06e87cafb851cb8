import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { OrderService } from '../gen/acme/orders/v1/orders_pb.js';
import { orderRoutes } from '../routes.js';
import { fakePayments, fakeCatalog } from './fakes.js';

let server: ReturnType<typeof createServer>;

before(async () => {
  server = createServer({
    services: [orderRoutes({ payments: fakePayments(), catalog: fakeCatalog() })],
    port: 0,
    protocols: [Healthcheck()],
    tls: { keyPath: new URL('./fixtures/key.pem', import.meta.url).pathname, certPath: new URL('./fixtures/cert.pem', import.meta.url).pathname },
  });
  await server.start();
});

after(() => server.stop());

test('places an order', async () => {
  const client = createClient(OrderService, createGrpcTransport({ baseUrl: `https://localhost:${server.port}` }));
  const res = await client.placeOrder({ sku: 'A-1', quantity: 2 });
  assert.equal(res.status, 'ACCEPTED');
});
