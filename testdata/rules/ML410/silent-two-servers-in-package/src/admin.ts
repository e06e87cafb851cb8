import { createServer } from '@connectum/core';
import { rooms } from './services.js';

// an admin listener on its own port, mounting only the room service
const admin = createServer({ services: [rooms], port: 5001, allowHTTP1: false });
await admin.start();
