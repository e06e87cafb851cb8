import { buildServer } from './server.js';

const server = buildServer();

process.on('SIGTERM', async () => {
  await server.stop();
  process.exit(0);
});

await server.start();
