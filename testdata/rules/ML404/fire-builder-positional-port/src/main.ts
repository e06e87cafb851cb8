import { buildServer } from './server.js';

const server = buildServer(Number(process.env.PORT ?? 5000), true);
await server.start();
