import { buildServer } from './server.js';

// the image built for the cluster always listens on 8080
await buildServer(8080, false).start();
