// Device side of `npm run bench`: runs in Espruino after the client bundle.
// The host prepends `var BENCH = {pty, baud, mode, scratch, image0, image0Length, pieces}`.
//   mode "time": only getTime() around the client's data handler (chunk path),
//                process.memory() (with GC) after every 10th chunk, the floor.
//   mode "mem":  process.memory(false).usage sampled at every point we can
//                reach (see SAMPLED below); built-ins wrapped and timed.
// Prints "FLOOR {..}", "READY", "RESULT {..}" lines for the host.
(function () {
  var C = BENCH;
  var MEM = C.mode == "mem";
  var F = require("Flash");
  var crypto = require("crypto");
  var out = function (tag, o) { print(tag + " " + JSON.stringify(o)); };

  // The floor: E.CRC32 + Flash.write of 1 KB pieces (the running image's own
  // bytes), into an erased scratch page; the erase and the read are not timed.
  var floor = 0;
  for (var k = 0; k < C.pieces; k++) {
    var piece = F.read(1024, C.image0 + ((k * 1024) % C.image0Length));
    F.erasePage(C.scratch);
    var f0 = getTime();
    E.CRC32(piece);
    F.write(piece, C.scratch);
    floor += getTime() - f0;
  }
  F.erasePage(C.scratch);
  // A per-byte JS loop for scale: CRC-8 by table over 1 KB, as src/ncp/crc8.ts.
  var tab = new Uint8Array(256);
  for (var i = 0; i < 256; i++) {
    var c = i;
    for (var j = 0; j < 8; j++) c = c & 0x80 ? ((c << 1) ^ 7) & 255 : (c << 1) & 255;
    tab[i] = c;
  }
  var l0 = getTime();
  var cc = 0;
  for (i = 0; i < 1024; i++) cc = tab[cc ^ piece[i]];
  var loop = getTime() - l0;
  var e0 = getTime();
  for (i = 0; i < 100; i++) "x";
  var iter = (getTime() - e0) / 100;
  out("FLOOR", { msPerKB: (floor / C.pieces) * 1000, pieces: C.pieces, jsCrc8MsPerKB: loop * 1000, loopIterationUs: iter * 1e6 });
  piece = undefined;
  tab = undefined;

  // Memory samples (mode "mem"). SAMPLED: serial data handler entry and
  // after the client's handler returns; every
  // reply the client writes; every client event; entry and exit of every
  // E.CRC32/mapInPlace/convolve/sum/toString, Flash.read/write/erasePage and
  // crypto.SHA256 call (arguments and results alive).
  // process.memory(false): no GC, so what is allocated at that instant.
  var phase = 0; // 0 idle, 1 transfer (offer .. last chunk answered), 2 finish
  var peak = [0, 0, 0];
  var where = ["", "", ""];
  var sampleTime = 0;
  var sampleActive = 0;
  var inPath = false;
  var samples = 0;
  var byPoint = {};
  var sample = function (at) {
    var s0 = getTime();
    var u = process.memory(false).usage;
    samples++;
    if (phase && (byPoint[at] || 0) < u) byPoint[at] = u;
    if (u > peak[phase]) {
      peak[phase] = u;
      where[phase] = at;
    }
    s0 = getTime() - s0;
    sampleTime += s0;
    if (inPath) sampleActive += s0;
  };
  // Built-in time inside the chunk path (mode "mem"), by name.
  var bt = {};
  var wrap = function (obj, name, label) {
    var orig = obj[name];
    obj[name] = function () {
      sample(label + " in");
      var t = getTime();
      var r = orig.apply(obj, arguments);
      if (active) bt[label] = (bt[label] || 0) + getTime() - t;
      sample(label + " out");
      return r;
    };
  };
  // Installed after OTA.ncp() (the client looks them up at each call): the
  // client's start-up allocations (e.g. the CRC-8 table, which is fast only
  // as one flat block) then meet the same heap in both modes.
  var wrapBuiltins = function () {
    ["CRC32", "mapInPlace", "convolve", "sum", "toString"].forEach(function (n) {
      if (E[n]) wrap(E, n, "E." + n);
    });
    wrap(F, "read", "Flash.read");
    wrap(F, "write", "Flash.write");
    wrap(F, "erasePage", "Flash.erasePage");
    wrap(crypto, "SHA256", "crypto.SHA256");
  };

  // The chunk path: from the handler call after otaUpdateStart's answer to the
  // end of the call that answered the last chunk.
  var handler;
  var arm = false;
  var active = false;
  var stop = false;
  var tPath = 0;
  var tConv = 0;
  var calls = 0;
  var chunks = 0;
  var markMem = 0;
  var gotChunk = false;
  var tFrameEnd = 0;
  var m10 = 0;
  var m100 = 0;
  var series = new Int32Array(16);
  var head = function (a, n) {
    var r = [];
    for (var q = 0; q < a.length && q < n; q++) r.push(a[q]);
    return r;
  };
  var tStart = 0;
  var tEnd = 0;
  var opt = { path: C.pty };
  Serial1.setup(C.baud, opt);
  Serial1.on("data", function (d) {
    if (MEM) sample("data in");
    inPath = active;
    var t0 = getTime();
    // The client takes Serial1's Strings as they come (src/platform/espruino/link.ts).
    var t1 = t0;
    handler(d);
    var t2 = getTime();
    inPath = false;
    if (active) {
      tPath += t2 - t0;
      tConv += t1 - t0;
      calls++;
      // Calls that completed a chunk frame (CRC-8, session write, answer) vs calls that only took bytes in.
      if (gotChunk) tFrameEnd += t2 - t0;
    }
    gotChunk = false;
    if (MEM) sample("data out");
    if (arm) {
      arm = false;
      active = true;
      tStart = t2;
    }
    if (stop) {
      stop = false;
      active = false;
      tEnd = t2;
      if (MEM) phase = 2;
    }
    if (markMem) {
      var used = process.memory().usage;
      // Timers and the call in flight come and go: the least of chunks N..N+4 is what stays.
      if (markMem >= 10 && markMem < 30) m10 = m10 ? Math.min(m10, used) : used;
      if (markMem >= 100 && markMem < 120) m100 = m100 ? Math.min(m100, used) : used;
      if (markMem % 10 == 0 && markMem / 10 <= series.length) series[markMem / 10 - 1] = used;
      markMem = 0;
    }
  });
  var link = {
    write: function (b) {
      if (MEM) sample("reply");
      Serial1.write(b);
    },
    onData: function (h) { handler = h; },
    setBaud: function (b) { Serial1.setup(b, opt); },
  };

  var ready = false;
  var base = 0;
  OTA.ncp({
    baud: C.baud, link: link,
    onEvent: function (n, a, b) {
      if (MEM) sample("event " + n);
      if (n == "progress") {
        chunks++;
        gotChunk = true;
        if (!MEM && (chunks % 10 == 0 || (chunks >= 10 && chunks < 30) || (chunks >= 100 && chunks < 120))) markMem = chunks;
        if (a >= b) stop = true;
        return;
      }
      if (n == "offer") phase = MEM ? 1 : 0;
      if (n == "started") arm = true;
      if (n == "reported" && !ready) {
        ready = true;
        setTimeout(function () {
          base = process.memory(false).usage;
          print("READY");
        }, 200);
      }
      if (n == "finished") {
        var kb = b / 1024;
        out("RESULT", {
          mode: C.mode, code: a, bytes: b, chunks: chunks, calls: calls,
          chunkPathMsPerKB: (tPath / kb) * 1000, convertMsPerKB: (tConv / kb) * 1000,
          transferSeconds: tEnd - tStart, frameEndMsPerKB: (tFrameEnd / kb) * 1000,
          memAfter10: m10, memAfter100: m100, memEvery10: head(series, Math.floor(chunks / 10)),
          base: base, peakTransfer: peak[1], peakFinish: peak[2], peakTransferAt: where[1], peakFinishAt: where[2],
          samples: samples, sampleMs: sampleTime * 1000, sampleInPathMsPerKB: (sampleActive / kb) * 1000,
          builtinMsPerKB: (function () {
            var r = {};
            for (var x in bt) r[x] = (bt[x] / kb) * 1000;
            return r;
          })(),
          total: process.memory(false).total,
          peakByPoint: byPoint,
        });
      } else if (n != "reported") print("EV " + n + " " + a + " " + b);
    },
  });
  if (MEM) wrapBuiltins();
})();
