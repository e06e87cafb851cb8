import { createServer } from '@connectum/core';
import routes from '../src/routes.js';

export const server = createServer({ services: [routes], port: Number(process.argv[2]) });
