import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generate, parse } from "coap-packet";
import { ACK, codeText, CON, decode, encode, FORMAT_JSON, GET, NON, POST, requestOptions, RST } from "../src/thingsboard/coap-codec.js";

const t = suite("thingsboard: the CoAP codec against coap-packet");

const bin = (b: Buffer) => b.toString("latin1");
const buf = (s: string) => Buffer.from(s, "latin1");
const TOKEN = "A1_TEST_TOKEN";

t("a chunk request parses as coap-packet reads it: CON GET, id, token, Uri-Path fw/{token}, four Uri-Query items", () => {
  const q = ["title=TMPL a/b", "version=2.0.0", "size=1024", "chunk=17"];
  const p = parse(buf(encode(CON, GET, 0xbeef, "\x01\x02\x03\x04", requestOptions(["fw", TOKEN], q, -1), "")));
  assert.equal([p.confirmable, p.ack, p.reset, p.code, p.messageId], [true, false, false, "0.01", 0xbeef]);
  assert.equal([...p.token], [1, 2, 3, 4]);
  assert.equal(p.options.filter((o) => o.name === "Uri-Path").map((o) => o.value.toString()), ["fw", TOKEN]);
  assert.equal(p.options.filter((o) => o.name === "Uri-Query").map((o) => o.value.toString()), q);
  assert.is(p.payload.length, 0);
});

t("a telemetry POST: Content-Format 50 (application/json) between path and query, then 0xFF and the JSON", () => {
  const body = JSON.stringify({ fw_state: "DOWNLOADING", fw_error: "" });
  const p = parse(buf(encode(CON, POST, 7, "tk", requestOptions(["api", "v1", TOKEN, "telemetry"], [], FORMAT_JSON), body)));
  assert.is(p.code, "0.02");
  const cf = p.options.find((o) => o.name === "Content-Format");
  assert.equal(cf && [...cf.value], [50]);
  assert.is(p.payload.toString(), body);
});

t("option deltas and lengths past 12 and 268 take one and two extension bytes, as coap-packet writes and reads them", () => {
  for (const len of [0, 1, 12, 13, 14, 268, 269, 270, 600]) {
    const v = "q".repeat(len);
    const ours = encode(NON, GET, 1, "", [{ n: 11, v: "a" }, { n: 15, v: v }, { n: 60, v: "x" }, { n: 2000, v: "" }], "");
    const theirs = generate({ messageId: 1, confirmable: false, code: "0.01", token: Buffer.alloc(0), options: [
      { name: "Uri-Path", value: buf("a") }, { name: "Uri-Query", value: buf(v) }, { name: "60", value: buf("x") }, { name: "2000", value: Buffer.alloc(0) },
    ] } as never);
    assert.is(ours, bin(theirs), "length " + len);
    const back = decode(bin(theirs))!;
    assert.equal(back.options.map((o) => [o.n, o.v.length]), [[11, 1], [15, len], [60, 1], [2000, 0]], "length " + len);
  }
});

t("coap-packet's responses decode: a piggybacked 2.05 with binary payload, an empty ACK, a CON separate response, a Reset", () => {
  const data = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) & 255));
  const ack = decode(bin(generate({ messageId: 0x1234, ack: true, code: "2.05", token: Buffer.from([9, 8]), payload: data, options: [{ name: "Content-Format", value: Buffer.from([42]) }] } as never)))!;
  assert.equal([ack.type, ack.code, codeText(ack.code), ack.mid, ack.token], [ACK, 0x45, "2.05", 0x1234, "\x09\x08"]);
  assert.equal(buf(ack.payload), data);
  const empty = decode(bin(generate({ messageId: 5, ack: true, code: "0.00" } as never)))!;
  assert.equal([empty.type, empty.code, empty.mid, empty.token, empty.payload], [ACK, 0, 5, "", ""]);
  const sep = decode(bin(generate({ messageId: 6, confirmable: true, code: "4.04", token: Buffer.from("abcd") } as never)))!;
  assert.equal([sep.type, codeText(sep.code), sep.token], [CON, "4.04", "abcd"]);
  const rst = decode(bin(generate({ messageId: 7, reset: true, code: "0.00" } as never)))!;
  assert.equal([rst.type, rst.mid], [RST, 7]);
});

t("format errors are refused: short header, version 2, token length 9, reserved classes, a bare payload marker, a truncated option, an Empty message with a token", () => {
  const bad = [
    "\x40\x01\x00", "\x80\x01\x00\x01", "\x49\x01\x00\x01" + "x".repeat(9), "\x40\x21\x00\x01", "\x60\xe0\x00\x01",
    "\x60\x45\x00\x01\xff", "\x60\x45\x00\x01\xd1", "\x60\x45\x00\x01\x35ab", "\x61\x00\x00\x01x", "\x60\x45\x00\x01\xf1a",
  ];
  for (const s of bad) assert.is(decode(s), undefined, JSON.stringify(s));
});

t("an encoded ACK and Reset are exactly the 4-byte Empty messages coap-packet makes", () => {
  assert.is(encode(ACK, 0, 0xabcd, "", [], ""), bin(generate({ messageId: 0xabcd, ack: true, code: "0.00" } as never)));
  assert.is(encode(RST, 0, 3, "", [], ""), bin(generate({ messageId: 3, reset: true, code: "0.00" } as never)));
});

t.run();
