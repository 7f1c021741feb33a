import { suite } from "uvu";
import * as assert from "uvu/assert";
import { buildDevice } from "../build.mjs";
import { checkEspruino } from "../scripts/espruino-gate.mjs";

const t = suite("espruino subset gate");

const build = (contents: string) => buildDevice({ stdin: { contents: contents, loader: "ts", resolveDir: "." }, board: {} });

async function refused(src: string, what: RegExp) {
  try {
    await build(src);
  } catch (e) {
    assert.match((e as Error).message, what);
    return;
  }
  assert.unreachable("built: " + src);
}

// Each of these reaches the device only if the build lets it through.
const FORBIDDEN: [string, string, RegExp][] = [
  ["Map", "global.x = new Map();", /Map/],
  ["Set", "global.x = new Set([1]);", /Set/],
  ["Symbol", "global.x = Symbol('a');", /Symbol/],
  ["WeakMap", "global.x = new WeakMap();", /WeakMap/],
  ["Array.from", "global.x = Array.from([1]);", /Array\.from/],
  ["Object.freeze", "global.x = Object.freeze({});", /Object\.freeze/],
  ["Number.isInteger", "global.x = Number.isInteger(1);", /Number\.isInteger/],
  ["Math.trunc", "global.x = Math.trunc(1.5);", /Math\.trunc/],
  ["async", "global.x = async function () { return 1; };", /async|not supported/],
  ["await", "global.x = async () => { await 1; };", /async|await|not supported/],
  ["generator", "global.x = function* () { yield 1; };", /generator|not supported/],
  ["label", "outer: for (;;) { break outer; }", /label/],
  ["array spread", "const a = [1]; global.x = [...a, 2];", /spread/],
  ["call spread", "const a = [1]; global.x = Math.max(...a);", /spread|rest|not supported/],
  ["destructuring", "const o = global.o; const { a, b } = o; global.x = a + b;", /destructuring/],
  ["default parameter", "global.f = function (a = 1) { return a; };", /default/],
  ["object spread", "const a = {p: 1}; global.x = {...a};", /Object|not supported|spread|Symbol/],
  ["rest parameter", "global.x = function (...a: number[]) { return a; };", /rest|spread|not supported/],
  ["computed key", "const k = global.k; global.x = { [k]: 1 };", /computed/],
  ["BigInt", "global.x = 10n;", /BigInt|not supported|bigint/i],
  ["regex sticky", "global.x = /a/y;", /regex flag/],
  ["regex lookbehind", "global.x = /(?<=a)b/;", /lookbehind/],
  ["tagged template", "const tag = (s: TemplateStringsArray) => s; global.x = tag`a`;", /tagged/],
  ["Node Buffer", "global.x = Buffer.from('a');", /Buffer/],
  ["a Node module", "global.x = require('fs');", /require|resolve/],
  ["object method shorthand", "global.x = { f() { return 1; } };", /method/],
  ["shorthand property", "declare const Serial1: any; global.x = { Serial1 };", /shorthand/],
];

for (const [name, src, what] of FORBIDDEN) t("refuses " + name, () => refused("declare const global: any; declare function require(n: string): any; declare const Buffer: any;\n" + src, what));

// What esbuild lowers exactly is allowed through, in lowered form.
const LOWERED: [string, string, RegExp][] = [
  ["logical assignment", "global.f = (a: any) => { a.b ||= 1; };", /\|\|=/],
  ["optional catch binding", "global.f = () => { try { return 1; } catch { return 2; } };", /catch\s*\{/],
  ["optional chaining", "global.f = (o: any) => o?.a;", /\?\./],
  ["** operator", "global.f = (a: number) => a ** 2;", /\*\*/],
  ["class fields", "class A { x = 1; } global.x = new A();", /class\s*\w*\s*\{\s*x\s*=/],
  ["nullish coalescing", "global.f = (a: any) => a ?? 2;", /\?\?/],
];
for (const [name, src, absent] of LOWERED) {
  t("lowers " + name + " to what Espruino runs", async () => {
    const out = await build("declare const global: any;\n" + src);
    assert.not.match(out.replace(/^\(function\(\)\{/, ""), absent);
  });
}

t("plain device code passes and stays inside a function scope", async () => {
  const out = await build("declare const global: any;\nclass C { get v() { return 1; } }\nconst xs = [1, 2];\nfor (const x of xs) global.y = `${x}`;\nglobal.c = new C();");
  assert.ok(out.startsWith("(function(){"));
  assert.ok(out.trim().endsWith("})();"));
});

t("the check itself names the line and what it found", () => {
  assert.equal(checkEspruino("var a = 1;\nvar m = new Map();"), ["2:12 Map"]);
  assert.equal(checkEspruino("var a = 1;"), []);
});

t.run();
