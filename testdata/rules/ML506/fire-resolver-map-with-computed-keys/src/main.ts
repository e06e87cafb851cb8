import { makeApp } from "#app.ts";

await makeApp().start();
