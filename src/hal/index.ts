export type { Flash, FlashStatus, FlashBlock } from "./flash.js";
export type { Digest } from "./digest.js";
export type { Link } from "./link.js";
export type { Clock } from "./clock.js";
export type { System } from "./system.js";
