import { createServer } from '@connectum/core';
import { Reflection } from '@connectum/reflection';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'orders' });

const server = createServer({
  services: [routes],
  protocols: [Reflection()],
});

await server.start();
