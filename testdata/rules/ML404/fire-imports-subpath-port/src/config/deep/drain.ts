import { BASE } from "../../base.ts";
export const DRAIN = BASE * 2;
