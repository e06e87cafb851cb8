import { createServer } from "@connectum/core";
/* the server below is commented out, and the comment never ends
const server = createServer({ port: 5000 });
