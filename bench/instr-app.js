// Device side of the instruction counts (bench/instr.ts): the application in
// an image, started by the boot stub as at power-on. The host prepends
// `var BENCH = {mode, n, piece, file, results, offer, chunks}`
// (results, offer: frames, base64; chunks: [start, end) of each write frame in file):
//   mode "load":   quits at once (the application's first line)
//   mode "chunks": runs OTA.ncp({link}) against a fake NCP made of prepared
//                  frames (file: RESULTs for the client's calls, the offer,
//                  then the otaUpdateWrite frames), feeds `n` chunks in
//                  pieces of `piece` bytes (0 = whole frames), then quits
//   mode "floor":  the same feeding with a handler that does nothing (no
//                  client): the harness's own cost, subtracted by the host
// Timers are made deterministic: setTimeout below 250 ms runs from a queue in
// order, longer ones (the 1 s tick, call time-outs) never fire, so two runs
// do exactly the same work.
(function () {
  var C = BENCH;
  // quit() is not defined yet while the boot files run: end from the first timer.
  var end = function (info) {
    print("INSTR " + JSON.stringify(info));
    setTimeout(function () { quit(); }, 0);
  };
  if (C.mode == "load") return end({ usage: process.memory().usage });
  var Q = BENCH_Q;
  // Frames come base64 (the image text is ASCII).
  C.offer = atob(C.offer);
  C.results = C.results.map(function (x) { return atob(x); });
  benchTimers();
  // The chunk frames, read once the client has started (not counted in afterStart).
  var D;
  var h;
  var feed = function (s, e) {
    var p = C.piece;
    if (!D) D = require("fs").readFileSync(C.file);
    // Normal (not flat) Strings, as serial data are.
    var f = D.substring(s, e);
    if (!p) return h(f);
    for (var i = 0, n = f.length; i < n; i += p) h(f.substring(i, i + p < n ? i + p : n));
  };
  var chunk = 0;
  var info = { chunks: 0, progress: 0, afterStart: 0, refused: 0 };
  var next = function () {
    if (chunk >= C.n) return;
    var c = C.chunks[chunk++];
    feed(c[0], c[1]);
  };
  if (C.mode == "floor") {
    h = function () {};
    var step = function () {
      next();
      info.progress++;
      if (chunk < C.n) Q.push({ f: step });
    };
    Q.push({ f: step });
  } else {
    var calls = 0;
    var link = {
      write: function (b) {
        // An INVOKE of the client (BEG, 0xBC 0x67): its answer is the next prepared RESULT.
        if (b[1] == 0xbc && b[2] == 0x67) {
          var r = C.results[calls++];
          Q.push({ f: function () { h(r); } });
        }
      },
      onData: function (x) { h = x; },
      setBaud: function () {},
    };
    OTA.ncp({
      link: link,
      onEvent: function (n, a) {
        if (n == "reported") {
          info.afterStart = process.memory().usage;
          Q.push({ f: function () { h(C.offer); } });
        } else if (n == "started" || n == "progress") {
          if (n == "progress") info.progress++;
          Q.push({ f: next });
        } else if (n == "refused" || n == "cancelled" || (n == "offer" && a)) {
          info.refused++;
          print("EV " + n + " " + a);
        }
      },
    });
  }
  benchDrain();
  info.chunks = chunk;
  end(info);
})();
