// Which services this deployment mounts locally; the rest are remote.
export const ROOMS = 'chat.v1.RoomService';

export const topology = {
  enabledServices: [ROOMS],
  peers: { chat: 'http://chat-live.chat.svc:5000' },
} as const;
