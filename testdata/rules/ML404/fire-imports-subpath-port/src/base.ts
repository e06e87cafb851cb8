export const BASE = 5000;
