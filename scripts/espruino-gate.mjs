// Refuses JavaScript the Espruino interpreter does not run (shared/reference/espruino.md).
// esbuild lowers what it can exactly; this walks the lowered output for the rest.
import * as acorn from "acorn";
import * as walk from "acorn-walk";

/** esbuild features Espruino lacks: esbuild lowers these or fails the build. */
export const UNSUPPORTED = {
  "default-argument": false, "destructuring": false, "object-rest-spread": false, "rest-argument": false,
  "optional-chain": false, "exponent-operator": false, "async-await": false, "async-generator": false,
  "generator": false, "for-await": false, "class-field": false, "class-static-field": false,
  "class-private-field": false, "class-private-method": false, "class-private-accessor": false,
  "class-private-static-field": false, "class-private-static-method": false, "class-private-static-accessor": false,
  "class-private-brand-check": false, "class-static-blocks": false, "logical-assignment": false,
  "optional-catch-binding": false, "nested-rest-binding": false,
  "bigint": false, "new-target": false, "nullish-coalescing": false, "top-level-await": false, "dynamic-import": false,
  "import-meta": false, "decorators": false, "using": false,
};

const BANNED_GLOBALS = new Set([
  "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "Symbol", "Proxy", "Reflect", "BigInt",
  "Buffer", "globalThis", "queueMicrotask", "structuredClone", "TextEncoder", "TextDecoder",
]);
const BANNED_MEMBERS = new Set([
  "Array.from", "Array.of", "Object.freeze", "Object.seal", "Object.entries", "Object.values", "Object.fromEntries",
  "Object.getOwnPropertySymbols", "Number.isInteger", "Number.isSafeInteger", "Math.trunc", "Math.sign",
  "Math.cbrt", "Math.hypot", "Math.log2", "Math.log10", "Math.imul", "Math.clz32", "Promise.allSettled", "Promise.any",
]);
const MODULES = new Set(["Flash", "crypto", "Storage", "http", "MQTT", "net", "Wifi", "dgram"]);

/** Returns a list of "line:col what" strings; empty means the code is in the subset. */
export function checkEspruino(code) {
  const found = [];
  let ast;
  try {
    ast = acorn.parse(code, { ecmaVersion: 2022, sourceType: "script", locations: true });
  } catch (e) {
    return ["parse: " + e.message];
  }
  const bad = (node, what) => found.push(node.loc.start.line + ":" + node.loc.start.column + " " + what);
  const fn = (node) => {
    if (node.async) bad(node, "async function");
    if (node.generator) bad(node, "generator");
    for (const p of node.params) {
      if (p.type === "AssignmentPattern") bad(p, "default parameter");
      if (p.type === "RestElement") bad(p, "rest parameter");
      if (p.type === "ObjectPattern" || p.type === "ArrayPattern") bad(p, "destructuring parameter");
    }
  };
  walk.full(ast, (node) => {
    switch (node.type) {
      case "FunctionDeclaration": case "FunctionExpression": case "ArrowFunctionExpression": fn(node); break;
      case "SpreadElement": bad(node, "spread"); break;
      case "ObjectPattern": case "ArrayPattern": bad(node, "destructuring"); break;
      case "ChainExpression": bad(node, "optional chaining"); break;
      case "BinaryExpression": if (node.operator === "**") bad(node, "** operator"); break;
      case "AssignmentExpression": if (["**=", "&&=", "||=", "??="].includes(node.operator)) bad(node, node.operator + " operator"); break;
      case "LabeledStatement": bad(node, "label"); break;
      case "YieldExpression": bad(node, "yield"); break;
      case "AwaitExpression": bad(node, "await"); break;
      case "TaggedTemplateExpression": bad(node, "tagged template"); break;
      case "PropertyDefinition": case "PrivateIdentifier": case "StaticBlock": bad(node, "class field"); break;
      case "MetaProperty": bad(node, "new.target / import.meta"); break;
      case "ImportExpression": bad(node, "import()"); break;
      case "ForOfStatement": if (node.await) bad(node, "for await"); break;
      case "Property":
        if (node.computed) bad(node, "computed key");
        else if (node.shorthand) bad(node, "shorthand property");
        else if (node.method) bad(node, "object literal method");
        break;
      case "Literal":
        if (typeof node.bigint === "string") bad(node, "BigInt");
        if (node.regex && /[yusd]/.test(node.regex.flags)) bad(node, "regex flag " + node.regex.flags);
        if (node.regex && /\(\?<|\\p\{/.test(node.regex.pattern)) bad(node, "regex lookbehind, named group or \\p{}");
        break;
      case "Identifier": if (BANNED_GLOBALS.has(node.name)) bad(node, node.name); break;
      case "NewExpression":
        if (node.callee.type === "Identifier" && node.callee.name === "RegExp") {
          const [src, flags] = node.arguments;
          if (flags && (flags.type !== "Literal" || /[yusd]/.test(flags.value))) bad(node, "regex flag");
          if (src && src.type === "Literal" && /\(\?<|\\p\{/.test(src.value)) bad(node, "regex lookbehind, named group or \\p{}");
        }
        break;
      case "MemberExpression":
        if (!node.computed && node.object.type === "Identifier" && BANNED_MEMBERS.has(node.object.name + "." + node.property.name)) {
          bad(node, node.object.name + "." + node.property.name);
        }
        break;
      case "CallExpression":
        if (node.callee.type === "Identifier" && node.callee.name === "require") {
          const a = node.arguments[0];
          if (!a || a.type !== "Literal" || !MODULES.has(a.value)) bad(node, "require of a module Espruino lacks");
        }
        break;
    }
  });
  return found;
}
