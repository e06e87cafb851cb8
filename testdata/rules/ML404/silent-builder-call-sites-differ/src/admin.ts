import { buildServer } from './server.js';

await buildServer(7000).start();
