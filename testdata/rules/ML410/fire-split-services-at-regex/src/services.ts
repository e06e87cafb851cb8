import { defineService } from '@connectum/core';
import { ChatService, RoomService } from './gen/chat/v1/chat_pb.js';

export const rooms = defineService(RoomService, {
  async listRooms() { return {}; },
  async *watch() {},
});

export const chat = defineService(ChatService, {
  async send() { return {}; },
  async *converse(requests) {
    for await (const r of requests) yield {};
  },
});
