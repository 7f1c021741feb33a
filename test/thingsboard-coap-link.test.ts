import { suite } from "uvu";
import * as assert from "uvu/assert";
import { generate, parse, type ParsedPacket } from "coap-packet";
import { FakeClock } from "../src/platform/host/clock.js";
import { GET, requestOptions } from "../src/thingsboard/coap-codec.js";
import { CoapLink } from "../src/thingsboard/coap-link.js";
import type { DgramSocket } from "../src/thingsboard/ports.js";

const t = suite("thingsboard: the CoAP message layer (RFC 7252 4 and 5.2)");

/** A socket that records what the link sends (parsed by coap-packet, with the time) and lets a test deliver datagrams. */
function rig(random = () => 0) {
  const clock = new FakeClock();
  const sent: { at: number; p: ParsedPacket }[] = [];
  let deliver: (msg: string) => void = () => {};
  const socket: DgramSocket = {
    on: (event, fn) => {
      if (event === "message") deliver = (m) => fn(m, { address: "127.0.0.1", port: 5683 });
    },
    send: (data, offset, length) => sent.push({ at: clock.now(), p: parse(Buffer.from(data.substring(offset, offset + length), "latin1")) }),
    close: () => {},
  };
  const link = new CoapLink({ socket: socket, host: "127.0.0.1", port: 5683, clock: clock, random: random });
  const answers: [number, string][] = [];
  const get = (chunk: number) => link.request(GET, requestOptions(["fw", "T"], ["chunk=" + chunk], -1), "", (code, body) => answers.push([code, body]));
  const server = (packet: object) => deliver(generate(packet as never).toString("latin1"));
  return { clock, sent, link, answers, get, server };
}

t("an unanswered CON is sent 5 times: after 2 s, then 4, 8, 16 (random factor 0), and answered 0 after another 32 s", () => {
  const r = rig();
  r.get(0);
  r.clock.advance(100000);
  assert.equal(r.sent.map((s) => s.at), [0, 2000, 6000, 14000, 30000]);
  assert.ok(r.sent.every((s) => s.p.messageId === r.sent[0].p.messageId && s.p.confirmable), "the same message, the same id");
  assert.equal(r.answers, [[0, ""]]);
  const r2 = rig(() => 0.999);
  r2.get(0);
  r2.clock.advance(100000);
  // ACK_TIMEOUT × ACK_RANDOM_FACTOR at the top of the range: just under 3 s, doubling.
  assert.equal(r2.sent.map((s) => Math.round(s.at / 100)), [0, 30, 90, 210, 450]);
});

t("a piggybacked response in the ACK ends retransmission and is answered once; a duplicate ACK is ignored", () => {
  const r = rig();
  r.get(3);
  r.clock.advance(2500);
  const { messageId, token } = r.sent[0].p;
  const ack = { messageId, token, ack: true, code: "2.05", payload: Buffer.from("chunk\xff\x00", "latin1") };
  r.server(ack);
  r.server(ack);
  r.clock.advance(60000);
  assert.is(r.sent.length, 2, "one retransmission before the ACK, none after");
  assert.equal(r.answers, [[0x45, "chunk\xff\x00"]]);
});

t("an empty ACK, then the separate CON response: the response is acknowledged (empty ACK, its id) and delivered; its duplicate is acknowledged again, not delivered", () => {
  const r = rig();
  r.get(1);
  const { messageId, token } = r.sent[0].p;
  r.server({ messageId, ack: true, code: "0.00" });
  r.clock.advance(10000);
  assert.is(r.sent.length, 1, "acknowledged: no retransmission while the response is prepared");
  const sep = { messageId: 999, token, confirmable: true, code: "2.05", payload: Buffer.from("data") };
  r.server(sep);
  r.server(sep);
  const acks = r.sent.slice(1).map((s) => [s.p.ack, s.p.reset, s.p.code, s.p.messageId, s.p.token.length]);
  assert.equal(acks, [[true, false, "0.00", 999, 0], [true, false, "0.00", 999, 0]]);
  assert.equal(r.answers, [[0x45, "data"]]);
});

t("a separate response that overtakes a lost empty ACK also acknowledges the request", () => {
  const r = rig();
  r.get(1);
  const { token } = r.sent[0].p;
  r.server({ messageId: 50, token, confirmable: true, code: "4.04" });
  r.clock.advance(60000);
  assert.equal(r.sent.map((s) => (s.p.ack ? "ACK" : s.p.confirmable ? "CON" : "?")), ["CON", "ACK"]);
  assert.equal(r.answers, [[0x84, ""]]);
});

t("requests go one at a time (NSTART 1), each with its own id and token; a CON that matches nothing gets a Reset", () => {
  const r = rig();
  r.get(0);
  r.get(1);
  assert.is(r.sent.length, 1, "the second waits");
  assert.ok(r.link.unacknowledged(undefined) === false);
  r.server({ messageId: r.sent[0].p.messageId, token: r.sent[0].p.token, ack: true, code: "2.05", payload: Buffer.from("a") });
  assert.is(r.sent.length, 2);
  const [a, b] = [r.sent[0].p, r.sent[1].p];
  assert.is.not(a.messageId, b.messageId);
  assert.is.not(a.token.toString("hex"), b.token.toString("hex"));
  r.server({ messageId: 77, token: Buffer.from("zzzz"), confirmable: true, code: "2.05", payload: Buffer.from("x") });
  const last = r.sent[r.sent.length - 1].p;
  assert.equal([last.reset, last.messageId], [true, 77]);
  assert.equal(r.answers, [[0x45, "a"]]);
});

t("a Reset, or an ACK with another token, ends the request with 0; a separate response that never comes ends it after 30 s", () => {
  const r = rig();
  r.get(0);
  r.server({ messageId: r.sent[0].p.messageId, reset: true, code: "0.00" });
  r.get(1);
  r.server({ messageId: r.sent[1].p.messageId, token: Buffer.from("nope"), ack: true, code: "2.05", payload: Buffer.from("x") });
  r.get(2);
  r.server({ messageId: r.sent[2].p.messageId, ack: true, code: "0.00" });
  assert.equal(r.answers, [[0, ""], [0, ""]]);
  r.clock.advance(30000);
  assert.equal(r.answers, [[0, ""], [0, ""], [0, ""]]);
});

t("a silent server cannot fill the heap: behind the outstanding request at most 8 wait, the rest are answered 0 at once", () => {
  const r = rig();
  for (let i = 0; i < 12; i++) r.get(i);
  r.clock.advance(1);
  assert.equal(r.answers, [[0, ""], [0, ""], [0, ""]]);
  assert.is(r.sent.length, 1);
});

t.run();
