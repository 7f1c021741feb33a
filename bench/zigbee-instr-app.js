// Device side of the Zigbee instruction counts (bench/zigbee-instr.ts): the application in an image,
// started by the boot stub. The host prepends `var BENCH = {mode, file, frames, n, piece}`
// (file: the XBee 0x91 frames the client will get, in order; frames: [start, end) of each).
//   mode "load":    quits at once (the application's first line)
//   mode "blocks":  OTA.zigbee({link}) on a fake XBee: each frame the client writes (a request) is answered
//                   with the next prepared frame (Query Next Image Response, the header block, the tag head,
//                   then blocks of 64 bytes), `n` answers in all, fed in pieces of `piece` bytes (0: whole)
//   mode "floor":   the same feeding with a handler that does nothing: the harness's own cost
// Timers as in instr-app.js: below 250 ms from a queue in order, longer ones never fire.
(function () {
  var C = BENCH;
  var end = function (info) {
    print("INSTR " + JSON.stringify(info));
    setTimeout(function () { if (C.exit == "reboot") E.reboot(); else quit(); }, 0);
  };
  if (C.mode == "load") return end({ usage: process.memory().usage });
  var Q = BENCH_Q;
  benchTimers();
  var D = require("fs").readFileSync(C.file);
  var h;
  var k = 0;
  var info = { answers: 0, progress: 0, afterStart: 0, peak: 0, refused: 0 };
  var feed = function (s, e) {
    var p = C.piece;
    var f = D.substring(s, e);
    if (!p) return h(f);
    for (var i = 0, n = f.length; i < n; i += p) h(f.substring(i, i + p < n ? i + p : n));
  };
  var answer = function () {
    if (k >= C.n) return;
    var fr = C.frames[k++];
    Q.push({ f: function () { feed(fr[0], fr[1]); } });
  };
  if (C.mode == "floor") {
    h = function () {};
    var step = function () {
      answer();
      if (k < C.n) Q.push({ f: step });
    };
    Q.push({ f: step });
  } else {
    var link = { write: function () { answer(); }, onData: function (x) { h = x; }, setBaud: function () {} };
    var c = OTA.zigbee({
      manufacturer: C.manufacturer, imageType: C.imageType, link: link,
      onEvent: function (n, a) {
        if (n == "progress") {
          info.progress++;
          // process.memory() collects garbage first: only in the run that measures the peak.
          if (C.sample) {
            var u = process.memory().usage;
            if (u > info.peak) info.peak = u;
          }
        } else if (n == "refused" || (n == "offer" && a)) {
          info.refused++;
          print("EV " + n + " " + a);
        }
      },
    });
    info.afterStart = process.memory().usage;
    c.query();
  }
  benchDrain();
  info.answers = k;
  end(info);
})();
