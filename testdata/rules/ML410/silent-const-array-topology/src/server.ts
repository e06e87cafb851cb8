import { createServer, type Server } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { chat, rooms } from './services.js';
import { topology } from './topology.js';

export function buildServer(): Server {
  return createServer({
    services: [rooms, chat],
    port: 5000,
    // the bidi ChatService is served by another deployment
    enabledServices: topology.enabledServices,
    protocols: [Healthcheck()],
    shutdown: { autoShutdown: true },
  });
}
