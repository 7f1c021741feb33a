import type { Command } from "./args.js";

/** Every command's options, in one table (src/cli/args.ts parses them); the runners live in their own modules. */

const FAULTS = "corrupt=P,drop=P,dup=P,delay=MS,jitter=MS,dir=both|to-board|from-board,seed=N";

export const DEMO: Command = {
  name: "demo",
  usage: `espruino-ota demo
  a whole Blynk.Air update on emulated flash, no hardware: v1 -> v2 (trial, confirm) -> bad v3 (never confirms: rolled back)
  (npm start runs it)`,
  options: {},
};

export const MKIMAGE: Command = {
  name: "mkimage",
  usage: `espruino-ota mkimage --app FILE --out FILE --board B --type T --version V [--build S] [--with-client]
  --app FILE        the application's JavaScript
  --out FILE        the image to write (not the --app file)
  --board B         the board it is for (its id goes into the header; the image must fit its slot)
  --type T          firmware type (Blynk template id), printable ASCII, at most 32 characters
  --version V       version, printable ASCII, at most 12 characters
  --build S         build text (default: now, "YYYY-MM-DD HH:MM"), printable ASCII, at most 20 characters
  --with-client     put the built client bundle for --board (dist/espruino/B/client.js) before the app
  --with-drogue     put the built Drogue IoT client (dist/espruino/B/drogue.js) before the app instead`,
  options: {
    app: { kind: "string" }, out: { kind: "string" }, board: { kind: "board" }, type: { kind: "string" },
    version: { kind: "string" }, build: { kind: "string" }, "with-client": { kind: "boolean" }, "with-drogue": { kind: "boolean" },
  },
};

export const INFO: Command = {
  name: "info",
  usage: `espruino-ota info FILE...
  checks each image whole (length, header CRC-32, payload SHA-256, Blynk info tag) and prints its header;
  exit 1 naming what is wrong when any file is not a whole image`,
  options: {},
  positionals: { min: 1, max: 1000, what: "an image FILE" },
};

export const INSTALL_SCRIPT: Command = {
  name: "install-script",
  usage: `espruino-ota install-script --board B --image FILE [--quit] [--erase-storage]
  prints an Espruino script that installs the OTA files into an empty Storage (.bootPowerOn, the stub, .eota)
  with FILE in slot 0; upload it once (Web IDE, or npx espruino -p PORT install.js)
  --board B          the board (refuses an image built for another board, or larger than its slot)
  --image FILE       a whole image made by mkimage for B
  --quit             end with quit() (the Linux build)
  --erase-storage    erase Storage first, files and all (back them up)`,
  options: { board: { kind: "board" }, image: { kind: "string" }, quit: { kind: "boolean" }, "erase-storage": { kind: "boolean" } },
};

export const NCP_SIM: Command = {
  name: "ncp-sim",
  usage: `espruino-ota ncp-sim --image FILE (--port PATH | --in-process) [options]
  plays the Blynk NCP and offers FILE to the client; exit 0 when applied and the board reports the new version
  --port PATH         serial port or pty the board's Serial1 is on
  --baud N            the NCP's initial rate (38400)
  --in-process        run the built client bundle for --board on emulated flash instead
  --board B           the board in-process (default: the image's board); on a port, the board to name refusals for
  --faults LIST       ${FAULTS}
                      (probabilities 0..1; dir: which way, seen from the NCP; both by default); may be given several times
  --seeds N           with --in-process: N runs per --faults (seeds seed..seed+N-1), one table row each
  --retries N         resends of a failed write before the NCP gives up (Blynk: 5)
  --stall-after N     stop sending after N chunks    --reset-after N   mcu.reboot after N chunks
  --no-sha256         act as an NCP without GetSHA256
  --sources           in-process: run the client's TypeScript sources instead of the bundle
  --wait SECONDS      after finish, wait this long for the rebooted client to report (60)`,
  options: {
    image: { kind: "string" }, port: { kind: "string" }, baud: { kind: "int", min: 300, max: 4000000, what: "a baud rate", default: "38400" },
    "in-process": { kind: "boolean" }, board: { kind: "board" }, faults: { kind: "string", multiple: true },
    seeds: { kind: "int", min: 1, max: 100000 }, retries: { kind: "int", min: 0, max: 100 }, sources: { kind: "boolean" },
    "stall-after": { kind: "int", min: 0, what: "chunks" }, "reset-after": { kind: "int", min: 0, what: "chunks" },
    "no-sha256": { kind: "boolean" }, wait: { kind: "number", min: 0, max: 86400, what: "seconds", default: "60" },
  },
};

export const TB_SIM: Command = {
  name: "tb-sim",
  usage: `espruino-ota tb-sim --image FILE [options]
  a local ThingsBoard device-API stand-in (MQTT + HTTP) offering image FILE as firmware; serves until Ctrl-C
  --token T           device access token (ESPRUINO_OTA_TOKEN)
  --mqtt-port N       MQTT port (1883; 0 = any free port)
  --http-port N       HTTP port (8080; 0 = any free port)
  --host H            address to listen on (127.0.0.1)
  --algorithm A       checksum: SHA256, SHA384, SHA512, MD5, CRC32, MURMUR3_32, MURMUR3_128 (SHA256)
  --emulate mqtt|http run an emulated board against it until it reports UPDATED (exit 0) or FAILED
  --board B           the emulated board (default: the image's board)
  --wait SECONDS      end with "no answer from the board" when no device asks for the firmware in this time
                      (default: with --emulate 600, else wait for Ctrl-C)`,
  options: {
    image: { kind: "string" }, token: { kind: "string", default: "ESPRUINO_OTA_TOKEN" },
    "mqtt-port": { kind: "int", min: 0, max: 65535, what: "a TCP port", default: "1883" },
    "http-port": { kind: "int", min: 0, max: 65535, what: "a TCP port", default: "8080" },
    host: { kind: "string", default: "127.0.0.1" },
    algorithm: { kind: "string", default: "SHA256", choices: ["SHA256", "SHA384", "SHA512", "MD5", "CRC32", "MURMUR3_32", "MURMUR3_128"] },
    emulate: { kind: "string", choices: ["mqtt", "http"] }, board: { kind: "board" },
    wait: { kind: "number", min: 0.001, max: 86400, what: "seconds" },
  },
};

export const DROGUE_SIM: Command = {
  name: "drogue-sim",
  usage: `espruino-ota drogue-sim --image FILE (--in-process | --port PATH | --serve) [options]
  plays Drogue IoT's update service (drogue-ajour's decisions; drgdfu's serial framing) for image FILE:
  Sync when the device runs its version, else Write from the device's offset in blocks of its mtu, then Swap with the SHA-256
  --in-process        run the built drogue.js for --board on emulated flash: v0.0.0 of the image's type updated to FILE;
                      exit 0 once FILE runs confirmed after its Sync (FILE's app should call DFU.start(): --with-drogue)
  --transport T       in-process: serial (postcard frames over a 115200 baud UART), http or mqtt (CBOR) (serial);
                      with http/mqtt the image's app names the port: DFU.start({http: {server: "127.0.0.1", port: 8080}})
  --port PATH         serial port or pty the board's Serial1 is on (115200 baud, drgdfu's 1024-byte frames)
  --serve             serve HTTP (POST /v1/dfu) and MQTT (channel dfu) until Ctrl-C
  --http-port N       HTTP port (8080; 0 = any free port)                 --mqtt-port N   MQTT port (1883)
  --host H            address to listen on (127.0.0.1)
  --board B           the board in-process (default: the image's board; pico has no OTA layout: use stm32-test or linux)
  --mtu N             block size when a Status names no mtu (512, as drogue-ajour)
  --lose N            the N-th Write is lost (may be repeated)          --double N   the N-th Write arrives twice
  --wrong-offset N    the N-th Write goes to a wrong offset             --bad-checksum   Swap with a wrong SHA-256
  --reset-after N     in-process: reset the board after N Writes        --switch-after B   offer 3.0.0 once B bytes are in
  --no-cid            answer without correlation ids (as drgdfu's serial side)
  --wait SECONDS      give up after this long (in-process: emulated; 3600)`,
  options: {
    image: { kind: "string" }, "in-process": { kind: "boolean" }, port: { kind: "string" }, serve: { kind: "boolean" },
    transport: { kind: "string", choices: ["serial", "http", "mqtt"], default: "serial" },
    "http-port": { kind: "int", min: 0, max: 65535, what: "a TCP port", default: "8080" },
    "mqtt-port": { kind: "int", min: 0, max: 65535, what: "a TCP port", default: "1883" },
    host: { kind: "string", default: "127.0.0.1" }, board: { kind: "board" },
    mtu: { kind: "int", min: 1, max: 65535, what: "bytes", default: "512" },
    lose: { kind: "int", min: 1, multiple: true }, double: { kind: "int", min: 1, multiple: true },
    "wrong-offset": { kind: "int", min: 1, multiple: true }, "bad-checksum": { kind: "boolean" },
    "reset-after": { kind: "int", min: 1 }, "switch-after": { kind: "int", min: 0 }, "no-cid": { kind: "boolean" },
    wait: { kind: "number", min: 0.001, max: 86400, what: "seconds", default: "3600" },
  },
};

export const SWEEP: Command = {
  name: "sweep",
  usage: `espruino-ota sweep [--board B[,B]]... [--quick | --sample N] [--seed S] [--scenario NAME]...
  power cut at every flash operation, clean and torn; last line: power-cut sweep: N cuts, B bricked, L lost
  --board B           a board key with options (puckjs:ecc, linux:a32:00, stm32-test, ...); may be repeated
  --quick             16 cut points per scenario     --sample N   N cut points per scenario
  --seed S            seed of the sampled cut points (1)
  --scenario NAME     only this scenario; may be repeated`,
  options: {
    board: { kind: "string", multiple: true }, scenario: { kind: "string", multiple: true },
    quick: { kind: "boolean" }, sample: { kind: "int", min: 1 }, seed: { kind: "int", min: 0, max: 0xffffffff },
  },
};

export const FUZZ: Command = {
  name: "fuzz",
  usage: `espruino-ota fuzz [--inputs N] [--states N] [--seed S] [--board B]
  hostile inputs to the client, then random record states to the boot stub; last lines:
  fuzz: N inputs, C crashes, W stray writes / boot fuzz: N states, T throws, U unsafe, S stuck
  --inputs N          inputs to the client (100000; at least 1)
  --states N          boot states (100000; at least 1)
  --seed S            (1)
  --board B           the board (linux)`,
  options: {
    inputs: { kind: "int", min: 1, default: "100000" }, states: { kind: "int", min: 1, default: "100000" },
    seed: { kind: "int", min: 0, max: 0xffffffff, default: "1" }, board: { kind: "board", default: "linux" },
  },
};

export const ALL: Command[] = [DEMO, MKIMAGE, INFO, INSTALL_SCRIPT, NCP_SIM, TB_SIM, DROGUE_SIM, SWEEP, FUZZ];

export const USAGE = `espruino-ota <command> [options]        (espruino-ota <command> --help for its options)
  demo                          a whole Blynk.Air update on emulated flash: v1 -> v2 (trial, confirm) -> bad v3 (rollback)
  mkimage --app F --out F --board B --type T --version V [--build S] [--with-client]
  info FILE...                  check an image whole and print its header
  install-script --board B --image F [--quit] [--erase-storage]   Espruino script: the OTA files into an empty Storage (.bootPowerOn, stub, .eota), F in slot 0
  ncp-sim --image F (--port P | --in-process)   play the Blynk NCP and push F
  tb-sim --image F ...          a ThingsBoard device-API stand-in, MQTT + HTTP
  drogue-sim --image F ...      Drogue IoT's update service: serial (drgdfu frames), HTTP, MQTT; --in-process
  sweep [--board B] [--quick]   power cut at every flash operation; last line: power-cut sweep: N cuts, B bricked, L lost
  fuzz [--inputs N] [--seed S]  hostile inputs to the client; last line: fuzz: N inputs, C crashes, W stray writes
`;
