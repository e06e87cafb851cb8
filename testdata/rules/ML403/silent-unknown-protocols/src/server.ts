import { createServer } from '@connectum/core';
import { buildProtocols } from './protocols.js';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'orders' });

const server = createServer({
  services: [routes],
  protocols: buildProtocols(),
});

await server.start();
