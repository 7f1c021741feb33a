// Device side of the Drogue instruction counts (bench/drogue-instr.ts): the
// application after drogue.js in an image. The host prepends
// `var BENCH = {mode, n, piece, file, frames}` (frames: [start, end) of each
// 1024-byte Write frame, postcard, in file):
//   mode "load":   quits at once (the application's first line)
//   mode "chunks": DFU.start({link}) with a fake serial link: each Status the
//                  client writes is answered by the next Write frame, handed
//                  over in pieces of `piece` bytes (0 = whole frames); after
//                  `n` Writes it quits
//   mode "floor":  the same feeding into a handler that does nothing
// Timers as in instr-app.js: below 250 ms from a queue in order, longer never.
(function () {
  var C = BENCH;
  var end = function (info) {
    print("INSTR " + JSON.stringify(info));
    setTimeout(function () { quit(); }, 0);
  };
  if (C.mode == "load") return end({ usage: process.memory().usage });
  var Q = BENCH_Q;
  benchTimers();
  var D;
  var h;
  var info = { writes: 0, statuses: 0, afterStart: 0, peak: 0, refused: 0, gc10: 0, gc30: 0, fileVars: 0 };
  var chunk = 0;
  var feed = function () {
    if (chunk >= C.n) return;
    var c = C.frames[chunk++];
    if (!D) {
      // The frames file is the harness's, not the client's: its JsVars are taken off the peak.
      var before = process.memory(false).usage;
      D = require("fs").readFileSync(C.file);
      info.fileVars = process.memory(false).usage - before;
    }
    var f = D.substring(c[0], c[1]);
    var p = C.piece;
    if (!p) return h(f);
    for (var i = 0, n = f.length; i < n; i += p) h(f.substring(i, i + p < n ? i + p : n));
  };
  if (C.mode == "floor") {
    h = function () {};
    var step = function () {
      feed();
      info.writes++;
      if (chunk < C.n) Q.push({ f: step });
    };
    Q.push({ f: step });
  } else {
    var link = {
      write: function () {
        info.statuses++;
        var u = process.memory(false).usage;
        if (u > info.peak) info.peak = u;
        if (info.statuses == 1) info.afterStart = u;
        // After a GC (process.memory() runs one): what stays after 10 and after 30 Writes.
        if (info.statuses == 11) info.gc10 = process.memory().usage;
        if (info.statuses == 31) info.gc30 = process.memory().usage;
        Q.push({ f: feed });
      },
      onData: function (x) { h = x; },
      setBaud: function () {},
    };
    DFU.start({
      link: link,
      checkpointEvery: C.checkpointEvery,
      onEvent: function (n, a) {
        if (n == "write") info.writes++;
        else if (n == "refused" || n == "failed" || n == "garbled") {
          info.refused++;
          print("EV " + n + " " + a);
        }
      },
    });
  }
  benchDrain();
  end(info);
})();
