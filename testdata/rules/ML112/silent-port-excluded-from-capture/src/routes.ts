export const routes = () => {};
