import { buildServer } from './server.js';

await buildServer(6000).start();
