import { defineService } from '@connectum/core';
import { RoomService } from './gen/chat/v1/chat_pb.js';

export const rooms = defineService(RoomService, {
  async listRooms() { return {}; },
  async *watch() {},
});

