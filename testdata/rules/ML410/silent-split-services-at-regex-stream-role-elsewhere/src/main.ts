import { buildServer } from '#server.ts';

const server = buildServer();
await server.start();
