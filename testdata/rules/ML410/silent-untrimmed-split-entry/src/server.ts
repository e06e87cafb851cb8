import { createServer, type Server } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { chat, rooms } from './services.js';

export function buildServer(): Server {
  return createServer({
    services: [rooms, chat],
    port: 5000,
    enabledServices: (process.env.SERVICES ?? 'chat.v1.RoomService').split(','),
    protocols: [Healthcheck()],
    shutdown: { autoShutdown: true },
  });
}
