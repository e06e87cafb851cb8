export const ledgerRoutes = () => {};
