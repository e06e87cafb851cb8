import { buildServer } from './server.js';

await buildServer().start();
