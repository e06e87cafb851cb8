export const PORT = Number(process.env.PORT ?? 7000);
