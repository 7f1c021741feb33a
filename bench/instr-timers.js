// Deterministic timers for the instruction counts (bench/instr.ts, zigbee-instr.ts,
// drogue-instr.ts), put before each application by instrApp() in bench/common.ts:
// benchTimers() makes setTimeout below 250 ms run from BENCH_Q in order and longer
// ones (ticks, time-outs) never fire, so two runs do exactly the same work;
// benchDrain() runs the queue empty and gives setTimeout back.
var BENCH_Q = [];
var BENCH_SET = setTimeout;
function benchTimers() {
  global.setTimeout = function (f, ms) {
    var t = { f: f };
    if (ms < 250) BENCH_Q.push(t);
    return t;
  };
  global.clearTimeout = function (t) {
    if (t) t.f = undefined;
  };
}
function benchDrain() {
  while (BENCH_Q.length) {
    var t = BENCH_Q.shift();
    if (t.f) t.f();
  }
  global.setTimeout = BENCH_SET;
}
