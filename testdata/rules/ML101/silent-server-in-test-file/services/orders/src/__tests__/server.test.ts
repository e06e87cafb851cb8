// The test starts its own server with a throwaway certificate and an
// ephemeral port; it never runs in the cluster.
import { test } from 'node:test';
import { createServer } from '@connectum/core';
import routes from '../routes.js';

test('serves over TLS', async () => {
  const server = createServer({
    services: [routes],
    port: 0,
    tls: { keyPath: './fixtures/key.pem', certPath: './fixtures/cert.pem' },
  });
  await server.start();
  await server.stop();
});
