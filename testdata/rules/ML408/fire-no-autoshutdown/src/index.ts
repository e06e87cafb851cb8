import { buildServer } from './server.js';

const server = buildServer();
server.on('ready', () => console.log('listening'));
await server.start();
