import { suite } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "cbor2";
import { cborDecode, CborWriter, commandFromCbor, encodeStatusCbor } from "../src/drogue/cbor.js";
import { decodeCommandPostcard, encodeStatusPostcard } from "../src/drogue/postcard.js";
import { type Command, type Status, SWAP, SYNC, WAIT, WRITE } from "../src/drogue/protocol.js";
import { commandFrame, commandPostcard, commandToCbor, statusFromCbor, statusFromPostcard } from "../src/peers/drogue/codec.js";

/*
 * The device's codecs (src/drogue/cbor.ts, postcard.ts) against an
 * independent CBOR codec (cbor2, npm) and against postcard bytes worked out
 * by hand from the Rust definitions: embedded-update src/protocol.rs:13-34
 * (Status, UpdateStatus: fields in this order), :70-112 (Command: Wait 0,
 * Sync 1, Write 2, Swap 3), :162-168 (Bytes = serialize_bytes); postcard's
 * wire format: u32 varint (LEB128), Option 00 / 01 + value, bytes = varint
 * length + data, enum = varint variant index, struct = fields in order.
 */
const t = suite("drogue codecs: CBOR against cbor2, postcard against vectors from the Rust definitions");

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/ /g, ""), "hex"));
const ascii = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

const STATUSES: Status[] = [
  { version: "1.0.0", mtu: 968, cid: null, update: null },
  { version: "1.0.0", mtu: 512, cid: 7, update: { version: "2.0.0", offset: 300 } },
  { version: "v", mtu: null, cid: 4294967295, update: { version: "0123456789abcdef", offset: 70000 } },
  { version: "", mtu: 23, cid: 24, update: { version: "x", offset: 0 } },
];

t("Status: the device's CBOR is cbor2's encoding of serde_cbor's packed form, byte for byte", () => {
  const w = new CborWriter(96);
  for (const s of STATUSES) {
    const mine = encodeStatusCbor(w, s);
    const u = s.update ? new Map<number, unknown>([[0, ascii(s.update.version)], [1, s.update.offset]]) : null;
    const ref = encode(new Map<number, unknown>([[0, ascii(s.version)], [1, s.mtu], [2, s.cid], [3, u]]));
    assert.is(hex(mine), hex(ref), JSON.stringify(s));
    // and what the service reads back
    const back = statusFromCbor(mine);
    assert.equal(back, s);
  }
});

t("Status with string keys (the non-packed serde form, cbor2-encoded) is read by the service", () => {
  const b = encode({ version: ascii("1.0.0"), mtu: 512, correlation_id: null, update: { version: ascii("2.0.0"), offset: 1024 } });
  assert.equal(statusFromCbor(b), { version: "1.0.0", mtu: 512, cid: null, update: { version: "2.0.0", offset: 1024 } });
});

const COMMANDS: Command[] = [
  { kind: WAIT, cid: null, poll: 10 },
  { kind: WAIT, cid: 3, poll: null },
  { kind: SYNC, version: ascii("2.0.0"), cid: 9, poll: 300 },
  { kind: SYNC, version: ascii("2.0.0"), cid: null, poll: null },
  { kind: WRITE, version: ascii("2.0.0"), cid: 1, offset: 0, data: new Uint8Array(968).map((_, i) => (i * 7) & 255) },
  { kind: WRITE, version: ascii("2.0.0"), cid: null, offset: 131072, data: new Uint8Array([0, 255, 0x18, 0x40]) },
  { kind: SWAP, version: ascii("2.0.0"), cid: 2, checksum: new Uint8Array(32).fill(0xab) },
  { kind: SWAP, version: ascii("2.0.0"), cid: null, checksum: new Uint8Array(0) },
];

function same(a: Command, b: Command): void {
  assert.is(a.kind, b.kind);
  assert.is(a.cid, b.cid);
  for (const k of ["poll", "offset"] as const) assert.is(a[k], b[k], k);
  for (const k of ["version", "data", "checksum"] as const) assert.is(a[k] ? hex(a[k] as Uint8Array) : undefined, b[k] ? hex(b[k] as Uint8Array) : undefined, k);
}

t("Command: cbor2's packed encoding ({variant: {field: value}}, None as null) decodes on the device", () => {
  for (const c of COMMANDS) {
    const b = commandToCbor(c);
    // commandToCbor is cbor2's encode of that Map: check the first byte is a one-entry map keyed by the index
    assert.is(b[0], 0xa1);
    assert.is(b[1], c.kind);
    same(commandFromCbor(cborDecode(b)), c);
    // the service never leaves a None out
    const m = decode(b) as Map<number, Map<number, unknown>>;
    const fields = m.get(c.kind) as Map<number, unknown>;
    assert.is(fields.size, c.kind === WAIT ? 2 : c.kind === WRITE ? 4 : 3);
  }
});

t("Command: the named form ({\"Write\": {\"version\": ...}}) decodes too; byte strings are views of the input", () => {
  const b = encode({ Write: { version: ascii("2"), correlation_id: null, offset: 5, data: new Uint8Array([1, 2, 3]) } });
  const c = commandFromCbor(cborDecode(b));
  assert.is(c.kind, WRITE);
  assert.is(c.offset, 5);
  assert.is((c.data as Uint8Array).buffer, b.buffer, "data is a subarray, not a copy");
  assert.is(hex(c.data as Uint8Array), "010203");
});

t("CBOR the device refuses: truncated, tags, floats, indefinite lengths, extra bytes, wrong types, unknown variants", () => {
  const bad = [
    new Uint8Array(0), bytes("a1"), bytes("a1 02 a4 00"), bytes("c2 41 00"), bytes("fb 3ff0000000000000"), bytes("5f 41 00 ff"),
    bytes("a0 00"), bytes("5a ffffffff"), bytes("9b ffffffffffffffff"),
  ];
  for (const b of bad) assert.throws(() => cborDecode(b), undefined, hex(b));
  const cmds = [
    encode(new Map([[2, new Map<number, unknown>([[0, "2.0.0"], [1, null], [2, 0], [3, new Uint8Array(1)]])]])), // version as text
    encode(new Map([[4, new Map<number, unknown>([[0, null], [1, 1]])]])), // no such variant
    encode(new Map([[0, new Map<number, unknown>([[0, -1], [1, 1]])]])), // cid negative
    encode(new Map([[2, new Map<number, unknown>([[0, ascii("2")], [1, null], [2, 2 ** 32], [3, new Uint8Array(1)]])]])), // offset past u32
    encode(new Map([[0, null], [1, null]])), // two variants
    encode([1, 2]),
  ];
  for (const b of cmds) assert.throws(() => commandFromCbor(cborDecode(b)), undefined, hex(b));
});

/* Postcard vectors, by hand from the definitions (see the suite comment). */
const STATUS_VECTORS: [Status, string][] = [
  // Status::first(b"1.0.0", Some(968), None): version 05 "1.0.0" | mtu Some 01 c8 07 (968 = 0x48|0x80, 7) | cid None 00 | update None 00
  [{ version: "1.0.0", mtu: 968, cid: null, update: null }, "05 312e302e30 01 c807 00 00"],
  // Status::update(b"1.0.0", Some(968), 300, b"2.0.0", Some(7)): ... | 01 07 | 01 05 "2.0.0" ac02 (300 = 0x2c|0x80, 2)
  [{ version: "1.0.0", mtu: 968, cid: 7, update: { version: "2.0.0", offset: 300 } }, "05 312e302e30 01 c807 01 07 01 05 322e302e30 ac02"],
  // u32::MAX as a varint: ff ff ff ff 0f
  [{ version: "", mtu: 4294967295, cid: null, update: { version: "", offset: 128 } }, "00 01 ffffffff0f 00 01 00 8001"],
];

const COMMAND_VECTORS: [Command, string][] = [
  // Wait { correlation_id: Some(1), poll: Some(10) }: variant 00 | 01 01 | 01 0a
  [{ kind: WAIT, cid: 1, poll: 10 }, "00 0101 010a"],
  // Sync { version: b"1", correlation_id: None, poll: None }: 01 | 01 31 | 00 | 00
  [{ kind: SYNC, version: ascii("1"), cid: null, poll: null }, "01 0131 00 00"],
  // Write { version: b"2", correlation_id: None, offset: 1024, data: [1,2,3] }: 02 | 01 32 | 00 | 80 08 | 03 010203
  [{ kind: WRITE, version: ascii("2"), cid: null, offset: 1024, data: new Uint8Array([1, 2, 3]) }, "02 0132 00 8008 03 010203"],
  // Swap { version: b"2", correlation_id: Some(300), checksum: [0xaa; 32] }: 03 | 01 32 | 01 ac02 | 20 aa..aa
  [{ kind: SWAP, version: ascii("2"), cid: 300, checksum: new Uint8Array(32).fill(0xaa) }, "03 0132 01ac02 20" + "aa".repeat(32)],
];

t("postcard Status: the device's frame starts with the vector, the rest zero; the service reads it back", () => {
  const frame = new Uint8Array(1024);
  for (const [s, v] of STATUS_VECTORS) {
    const n = encodeStatusPostcard(frame, s);
    const want = bytes(v);
    assert.is(hex(frame.subarray(0, n)), hex(want));
    assert.ok(frame.subarray(n).every((x) => x === 0));
    assert.equal(statusFromPostcard(frame), s);
  }
});

t("postcard Command: the vectors decode on the device (data a view of the frame); the service encodes the same bytes", () => {
  for (const [c, v] of COMMAND_VECTORS) {
    assert.is(hex(commandPostcard(c)), hex(bytes(v)));
    const frame = commandFrame(c);
    assert.is(frame.length, 1024);
    const d = decodeCommandPostcard(frame);
    same(d, c);
    if (d.data) assert.is(d.data.buffer, frame.buffer);
  }
  // the largest Write drgdfu sends (968 bytes, a 16-byte version) fits a frame
  const big: Command = { kind: WRITE, version: ascii("0123456789abcdef"), cid: 4294967295, offset: 4294967295, data: new Uint8Array(968) };
  same(decodeCommandPostcard(commandFrame(big)), big);
});

t("postcard the device refuses: unknown variant, option tag 2, a varint past u32 or 5 bytes, bytes past the frame", () => {
  const f = (h: string) => {
    const b = new Uint8Array(1024).fill(0x80);
    b.set(bytes(h));
    return b;
  };
  for (const h of ["04", "00 02", "01 00 02", "00 01 ffffffff1f", "00 01 ffffffffff01"]) assert.throws(() => decodeCommandPostcard(f(h)), undefined, h);
  const past = new Uint8Array(1024);
  past.set(bytes("02 01 32 00 00 ff07")); // data of 1023 bytes from offset 7
  assert.throws(() => decodeCommandPostcard(past));
});

t("hostile input: 20 000 random and mutated messages either decode or throw an Error, and byte strings stay inside the input", () => {
  let x = 12345;
  const rnd = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const seeds = [...COMMANDS.map((c) => commandToCbor(c))];
  const frames = COMMAND_VECTORS.map(([c]) => commandFrame(c));
  let decoded = 0;
  for (let i = 0; i < 10000; i++) {
    // CBOR: a valid command mutated, or random bytes
    const base = i % 3 === 0 ? new Uint8Array(rnd(40)).map(() => rnd(256)) : new Uint8Array(seeds[rnd(seeds.length)]);
    const b = base.length > 40 ? base.subarray(0, rnd(base.length)) : base;
    for (let k = rnd(4); k > 0 && b.length; k--) b[rnd(b.length)] = rnd(256);
    try {
      const c = commandFromCbor(cborDecode(b));
      for (const v of [c.version, c.data, c.checksum]) if (v) assert.ok(v.buffer === b.buffer && v.byteOffset + v.length <= b.byteOffset + b.length);
      decoded++;
    } catch (e) {
      assert.ok(e instanceof Error, String(e));
    }
    // postcard: a frame with a few bytes changed near its start
    const f = new Uint8Array(frames[rnd(frames.length)]);
    for (let k = 1 + rnd(3); k > 0; k--) f[rnd(48)] = rnd(256);
    try {
      const c = decodeCommandPostcard(f);
      for (const v of [c.version, c.data, c.checksum]) if (v) assert.ok(v.buffer === f.buffer && v.byteOffset + v.length <= 1024);
      decoded++;
    } catch (e) {
      assert.ok(e instanceof Error, String(e));
    }
  }
  assert.ok(decoded > 1000, "some still decode: " + decoded);
});

t.run();
