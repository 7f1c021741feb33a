/*
 * What the instruction counts would mean on a board: an ESTIMATE, not a
 * measurement. Assumptions (stated in the JSON as `assumptions`):
 *  - one x86 instruction of the Linux build at -Os ~ one Thumb-2 instruction
 *    of the board's build of the same interpreter source;
 *  - CYCLES_PER_INSTRUCTION cycles each on a Cortex-M4 (pipeline stalls,
 *    flash wait states, loads): 1.5;
 *  - the chip's flash program time per 32-bit word, for the 1 KB each chunk
 *    writes (the read-back and CRC are in the instruction count);
 *  - stop-and-wait: a chunk costs its frame's line time, the answer's line
 *    time, and the board's processing; the NCP's own turnaround is 0.
 */
export const CYCLES_PER_INSTRUCTION = 1.5;

/** Every board runs the same chunk path (no per-board CRC-8 step any more), so one count serves both chips. */
export const CHIPS = {
  nrf52832: { mhz: 64, flashWordUs: 41, note: "nRF52832 product specification: 41 us per 32-bit word (tWRITE)" },
  stm32f401: { mhz: 84, flashWordUs: 16, note: "STM32F401 datasheet: 16 us typical per 32-bit word (x32 parallelism)" },
};

/** Bytes of the client's answer to a chunk on the wire: BEG, RESULT u16, msgId u16, status, Bool, CRC-8, END. */
export const REPLY_BYTES = 9;

export interface ChipEstimate {
  mhz: number;
  /** Interpreter time per 1 KB chunk (instructions x CPI / clock) plus programming 256 words. */
  msPerKB: number;
  cpuMsPerKB: number;
  flashProgramMsPerKB: number;
  /** Image bytes per second over the line rate (bytes/s = baud / 10), stop-and-wait. */
  lineRate115200: number;
  lineRate921600: number;
  /** Loading the client at every boot. */
  clientLoadMs: number;
}

const r = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

export function estimate(o: { chunkInstructionsPerKB: number; clientLoadInstructions: number; chunkFrameBytes: number }): Record<keyof typeof CHIPS, ChipEstimate & { chunkInstructionsPerKB: number }> {
  const out = {} as Record<keyof typeof CHIPS, ChipEstimate & { chunkInstructionsPerKB: number }>;
  for (const [name, c] of Object.entries(CHIPS) as [keyof typeof CHIPS, (typeof CHIPS)[keyof typeof CHIPS]][]) {
    const perKB = o.chunkInstructionsPerKB;
    const cpu = (perKB * CYCLES_PER_INSTRUCTION) / (c.mhz * 1000);
    const flash = (256 * c.flashWordUs) / 1000;
    const rate = (baud: number) => {
      const wireMs = ((o.chunkFrameBytes + REPLY_BYTES) * 10 * 1000) / baud;
      return (1024 * 10 * 1000) / baud / (wireMs + cpu + flash);
    };
    out[name] = {
      chunkInstructionsPerKB: perKB, mhz: c.mhz, msPerKB: r(cpu + flash, 2), cpuMsPerKB: r(cpu, 2), flashProgramMsPerKB: r(flash, 2),
      lineRate115200: r(rate(115200), 3), lineRate921600: r(rate(921600), 3),
      clientLoadMs: r((o.clientLoadInstructions * CYCLES_PER_INSTRUCTION) / (c.mhz * 1000), 1),
    };
  }
  return out;
}

/** The same model's ceiling: a client costing no instructions at all. */
export function ceiling(chunkFrameBytes: number, baud: number, chip: keyof typeof CHIPS): number {
  const c = CHIPS[chip];
  const wireMs = ((chunkFrameBytes + REPLY_BYTES) * 10 * 1000) / baud;
  return r((1024 * 10 * 1000) / baud / (wireMs + (256 * c.flashWordUs) / 1000), 3);
}
