import { createServer, defineService } from '@connectum/core';
import { AdminService } from './gen/admin_pb.js';

const admin = defineService(AdminService, {});
await createServer({ services: [admin], port: 5001, allowHTTP1: false }).start();
