import { createServer } from '@connectum/core';
import { Reflection } from '@connectum/reflection';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'orders' });

const server = createServer({
  services: [routes],
  port: 7000,
  protocols: [Reflection()],
});

await server.start();
