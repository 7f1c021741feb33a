/** Thrown by the emulator once its power has been cut: the board is off. */
export class PowerCut extends Error {
  constructor(op: number) {
    super("power cut at flash operation " + op);
    this.name = "PowerCut";
  }
}

/** Thrown for an operation real flash would refuse (bounds, alignment, strict overwrite). */
export class FlashFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlashFault";
  }
}

/**
 * Thrown for a program into an ECC word that a torn program locked (FlashModel.ecc):
 * a fault the code must survive, not a bug in the caller as FlashFault is.
 */
export class EccLocked extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EccLocked";
  }
}
