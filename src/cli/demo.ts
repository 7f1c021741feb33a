import { confirmRunning } from "../boot/confirm.js";
import { decideBoot, BOOT_ROLLBACK, BOOT_TRIAL } from "../boot/decide.js";
import { errorName, OK } from "../core/errors.js";
import { BootRecord } from "../core/record.js";
import { Session } from "../core/session.js";
import { loadBoard } from "../platform/host/boards.js";
import { crc32, hostDigest, sha256 } from "../platform/host/digest.js";
import { buildImage } from "../platform/host/image.js";
import { installFactory } from "../platform/host/install.js";
import { NorFlash } from "../platform/host/norflash.js";

const REASONS = ["confirmed", "trial", "rollback", "scan", "none"];

/** The main job: a whole update on emulated flash, a trial boot and confirm, then a bad image rolled back. */
export async function runDemo(): Promise<number> {
  const board = loadBoard("linux");
  const flash = new NorFlash({ geometry: board.geometry });
  const digest = hostDigest(flash);
  const record = new BootRecord({ flash: flash, crc32: crc32, banks: board.layout.banks });
  const type = "TMPL0DEMO";
  const app = (v: string, healthy: boolean) =>
    buildImage({
      board: board.id, type: type, version: v, build: "demo",
      payload: new TextEncoder().encode(`// app ${v}\nOTA.boot.version; ${healthy ? "OTA.confirm();" : "/* never confirms */"}\n` + "x".repeat(40000)),
    });
  const say = (s: string) => process.stdout.write(s + "\n");
  const boot = () => {
    const b = decideBoot({ flash: flash, digest: digest, layout: board.layout });
    say(`power on -> slot ${b.slot} v${b.info ? b.info.version : "-"} (${REASONS[b.reason]})`);
    return b;
  };
  const update = (img: Uint8Array, b: ReturnType<typeof boot>) => {
    const s = new Session({
      flash: flash, digest: digest, layout: board.layout, record: record, running: b.slot,
      firmware: { type: type, version: b.info!.version }, chunkMax: board.chunkSize, now: () => Date.now(),
    });
    const h = new TextDecoder().decode(img.subarray(92, 104)).replace(/\0+$/, "");
    let code = s.offer({ size: img.length, type: type, version: h });
    if (code === OK) code = s.start();
    const t0 = process.hrtime.bigint();
    for (let o = 0; code === OK && o < img.length; o += board.chunkSize) {
      const c = img.subarray(o, o + board.chunkSize);
      code = s.write(o, c, crc32(c));
      const done = Math.min(img.length, o + board.chunkSize);
      if (process.stdout.isTTY || done === img.length) {
        const secs = Number(process.hrtime.bigint() - t0) / 1e9;
        const bar = "#".repeat(Math.round((done / img.length) * 30)).padEnd(30, ".");
        process.stdout.write(`\r  v${h} [${bar}] ${done}/${img.length} B ${Math.round(done / Math.max(secs, 1e-6))} B/s`);
      }
    }
    process.stdout.write("\n");
    if (code === OK) code = s.finish(sha256(img));
    say(`  update to v${h}: ${errorName(code)}`);
    return code;
  };

  installFactory(flash, board.layout, app("1.0.0", true), 0);
  say("factory: v1.0.0 in slot 0 (board " + board.id + ", emulated NOR flash)");
  let b = boot();
  if (update(app("2.0.0", true), b) !== OK) return 1;
  b = boot();
  if (b.reason !== BOOT_TRIAL) return 1;
  say("  v2.0.0 confirms: " + confirmRunning({ flash: flash, digest: digest, layout: board.layout, running: b.slot }));
  b = boot();
  if (update(app("3.0.0", false), b) !== OK) return 1;
  let last = b;
  for (let i = 0; i <= board.layout.maxTrials; i++) last = boot();
  if (last.reason !== BOOT_ROLLBACK || last.info!.version !== "2.0.0") return 1;
  say(`demo: v1 -> v2 confirmed, v3 never confirmed and rolled back to v2 after ${board.layout.maxTrials} trial boots; ${flash.erases} erases, ${flash.writes} writes`);
  return 0;
}
