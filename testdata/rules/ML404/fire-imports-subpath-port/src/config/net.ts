export const HOST = "0.0.0.0";
