import { OP_INVOKE, OP_RESULT } from "../../src/ncp/protocol.js";

/** One frame as the wire saw it: an INVOKE or a RESULT, with the uid of the call it belongs to. */
export interface Seen {
  from: "a" | "b";
  kind: "invoke" | "result";
  uid: number;
  id: number;
}

/**
 * Watches whole frames on a LinkPair wire (each write is one frame: the RPC
 * layer writes a frame at a time) and names them, so a test can drop or
 * double exactly the frame it means: "the NCP's answer to otaUpdateStart".
 * Side "a" is the NCP simulator, "b" the board.
 */
export class WireWatch {
  seen: Seen[] = [];
  private calls_: { a: Map<number, number>; b: Map<number, number> } = { a: new Map(), b: new Map() };

  see(b: Uint8Array, from: "a" | "b"): Seen | undefined {
    if (b.length < 5 || b[0] !== 0xaa || b[b.length - 1] !== 0xbb) return undefined;
    const raw: number[] = [];
    for (let i = 1; i < b.length - 1; i++) raw.push(b[i] === 0xcc ? b[++i] ^ 0xff : b[i]);
    const op = raw[0] | (raw[1] << 8);
    let s: Seen | undefined;
    if (op === OP_INVOKE) {
      s = { from: from, kind: "invoke", uid: raw[2] | (raw[3] << 8), id: raw[4] | (raw[5] << 8) };
      this.calls_[from].set(s.id, s.uid);
    } else if (op === OP_RESULT) {
      const id = raw[2] | (raw[3] << 8);
      // A RESULT answers a call the other side made.
      s = { from: from, kind: "result", uid: this.calls_[from === "a" ? "b" : "a"].get(id) ?? -1, id: id };
    }
    if (s) this.seen.push(s);
    return s;
  }

  count(from: "a" | "b", kind: "invoke" | "result", uid: number): number {
    return this.seen.filter((s) => s.from === from && s.kind === kind && s.uid === uid).length;
  }
}
