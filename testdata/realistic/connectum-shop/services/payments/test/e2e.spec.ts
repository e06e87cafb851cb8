import { test } from 'node:test';
import { createServer } from '@connectum/core';
import { initProvider } from '@connectum/otel';
import { paymentRoutes } from '../src/routes.js';

initProvider({ serviceName: 'payments-e2e' });

test('boots', async () => {
  const server = createServer({ services: [paymentRoutes], port: 19090 });
  await server.start();
  await server.stop();
});
