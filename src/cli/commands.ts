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
  usage: `espruino-ota mkimage --app FILE --out FILE --board B --type T --version V [--build S] [--with-client | --with-ble]
  --app FILE        the application's JavaScript
  --out FILE        the image to write (not the --app file)
  --board B         the board it is for (its id goes into the header; the image must fit its slot)
  --type T          firmware type (Blynk template id), printable ASCII, at most 32 characters
  --version V       version, printable ASCII, at most 12 characters
  --build S         build text (default: now, "YYYY-MM-DD HH:MM"), printable ASCII, at most 20 characters
  --with-client     put the built client bundle for --board (dist/espruino/B/client.js) before the app
  --with-ble        put the BLE client (dist/espruino/B/ble.js: OTA.ble()) before the app instead
  --with-drogue     put the built Drogue IoT client (dist/espruino/B/drogue.js) before the app instead
                    (with --zigbee-manufacturer, --with-client puts the Zigbee client, dist/espruino/B/zigbee.js)
  --zigbee-manufacturer 0xMMMM   write a Zigbee OTA file (header 0x0BEEF11E, tag 0 = the image) instead
  --zigbee-image-type 0xTTTT     its image type (needed with --zigbee-manufacturer)
  --zigbee-file-version 0xVVVVVVVV  its file version (default: from --version "a.b.c[.d]" as bytes a.b.c.d)`,
  options: {
    app: { kind: "string" }, out: { kind: "string" }, board: { kind: "board" }, type: { kind: "string" },
    version: { kind: "string" }, build: { kind: "string" }, "with-client": { kind: "boolean" }, "with-ble": { kind: "boolean" }, "with-drogue": { kind: "boolean" },
    "zigbee-manufacturer": { kind: "string" }, "zigbee-image-type": { kind: "string" }, "zigbee-file-version": { kind: "string" },
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

export const INSTALL: Command = {
  name: "install",
  usage: `espruino-ota install --port PORT --board B --image FILE [--erase-storage] [--baud N]
  installs the OTA files on a connected board through the espruino package (offline): checks the board's id,
  firmware and Storage against the board file and that the flash the files take is erased (nothing is written
  when a check fails), writes .bootPowerOn, the boot stub and .eota with FILE in slot 0 (the pieces of
  install-script), reading each piece back (CRC-32 on the board against this one's), then the boot record;
  runs load() and prints what booted
  --port PORT        the board's console: a serial port (/dev/ttyACM0) or tcp://host:port
                     (Espruino's Linux build: espruino --telnet serves tcp://127.0.0.1:2323)
  --board B          the board (its board file decides the layout and what is checked)
  --image FILE       a whole image made by mkimage for B
  --erase-storage    erase Storage first, files and all (back them up)
  --baud N           serial baud rate (9600)`,
  options: {
    port: { kind: "string" }, board: { kind: "board" }, image: { kind: "string" }, "erase-storage": { kind: "boolean" },
    baud: { kind: "int", min: 300, max: 4000000, what: "a baud rate", default: "9600" },
  },
};

export const STATUS: Command = {
  name: "status",
  usage: `espruino-ota status --port PORT [--baud N]
  prints the board, OTA.boot (what the boot stub started) and OTA.state() (the boot record) of a connected board
  --port PORT        a serial port or tcp://host:port
  --baud N           serial baud rate (9600)`,
  options: { port: { kind: "string" }, baud: { kind: "int", min: 300, max: 4000000, what: "a baud rate", default: "9600" } },
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

export const BLE_SIM: Command = {
  name: "ble-sim",
  usage: `espruino-ota ble-sim --image FILE --in-process [options]
  plays the client of ESP BLE OTA (the seed's Python tool: Start, sectors, Stop) against the built ble.js
  for --board on emulated flash with an NRF stand-in; exit 0 when the board runs FILE's version, confirmed
  --image FILE        an image with the BLE client (mkimage --with-ble)
  --in-process        required: the board is emulated (no Bluetooth adapter is used)
  --board B           the board (default: the image's board)
  --mtu N             ATT MTU the central negotiates, 23 to 517 (23; Puck.js about 53)
  --faults LIST       lost=P,doubled=P,corrupt=P,wrong=P (per packet, P from 0 to 1; wrong = names the next sector),
                      disconnect=N, reset=N (after packet N: the central reconnects / the board is reset, then Start again),
                      seed=N; may be given several times
  --seeds N           N runs per --faults (seeds seed..seed+N-1), one table row each`,
  options: {
    image: { kind: "string" }, "in-process": { kind: "boolean" }, board: { kind: "board" },
    mtu: { kind: "int", min: 23, max: 517, what: "an ATT MTU", default: "23" },
    faults: { kind: "string", multiple: true }, seeds: { kind: "int", min: 1, max: 100000 },
  },
};

export const ZIGATE_SIM: Command = {
  name: "zigate-sim",
  usage: `espruino-ota zigate-sim --image FILE (--port PATH | --in-process) [options]
  plays a ZiGate OTA server and its host plugin (0x0500 load, 0x0505 notify, 0x8501 -> 0x0502, 0x8503 -> 0x0504),
  the radio and the board's XBee 3 (API mode 2), and serves the Zigbee OTA file FILE (mkimage --zigbee-manufacturer);
  exit 0 when the board runs the new image confirmed (in-process) or queries with its file version (on a port)
  --port PATH         serial port or pty where the board's XBee UART (Serial1) is
  --baud N            that UART's rate (115200)
  --in-process        run the built zigbee bundle for --board on emulated flash instead (factory image v1.0.0)
  --board B           the board in-process (default: the image's board, else linux)
  --serial-faults L   faults on the host <-> ZiGate serial link: ${FAULTS}
  --uart-faults L     faults on the board <-> XBee UART (same list)
  --radio-loss P      radio frames lost each way, 0..1          --seed N   (1)
  --reset-at BYTES    in-process: reset the board once BYTES of the file were served (it resumes)
  --pause-at OFF:S    answer the block request at OFF once with 0x0506 WAIT_FOR_DATA for S seconds
  --abort-at OFF      answer the block request at OFF with ABORT
  --upgrade MODE      Upgrade End Response: relative (2 s), absolute (now + 2 s), wait (0xFFFFFFFF, then 1 s later)
  --wait SECONDS      give up after this long (3600)`,
  options: {
    image: { kind: "string" }, port: { kind: "string" }, baud: { kind: "int", min: 300, max: 4000000, what: "a baud rate", default: "115200" },
    "in-process": { kind: "boolean" }, board: { kind: "board" }, "serial-faults": { kind: "string" }, "uart-faults": { kind: "string" },
    "radio-loss": { kind: "number", min: 0, max: 1 }, seed: { kind: "int", min: 0, max: 0xffffffff, default: "1" },
    "reset-at": { kind: "int", min: 0, what: "bytes" }, "pause-at": { kind: "string" }, "abort-at": { kind: "int", min: 0, what: "an offset" },
    upgrade: { kind: "string", choices: ["relative", "absolute", "wait"], default: "relative" },
    wait: { kind: "number", min: 1, max: 86400, what: "seconds", default: "3600" },
  },
};

export const TB_SIM: Command = {
  name: "tb-sim",
  usage: `espruino-ota tb-sim --image FILE [options]
  a local ThingsBoard device-API stand-in (MQTT + HTTP + CoAP) offering image FILE as firmware; serves until Ctrl-C
  --token T           device access token (ESPRUINO_OTA_TOKEN)
  --mqtt-port N       MQTT port (1883; 0 = any free port)
  --http-port N       HTTP port (8080; 0 = any free port)
  --coap-port N       CoAP port, UDP (5683; 0 = any free port)
  --host H            address to listen on (127.0.0.1)
  --algorithm A       checksum: SHA256, SHA384, SHA512, MD5, CRC32, MURMUR3_32, MURMUR3_128 (SHA256)
  --emulate mqtt|http|coap
                      run an emulated board against it until it reports UPDATED (exit 0) or FAILED
  --board B           the emulated board (default: the image's board)
  --wait SECONDS      end with "no answer from the board" when no device asks for the firmware in this time
                      (default: with --emulate 600, else wait for Ctrl-C)`,
  options: {
    image: { kind: "string" }, token: { kind: "string", default: "ESPRUINO_OTA_TOKEN" },
    "mqtt-port": { kind: "int", min: 0, max: 65535, what: "a TCP port", default: "1883" },
    "http-port": { kind: "int", min: 0, max: 65535, what: "a TCP port", default: "8080" },
    "coap-port": { kind: "int", min: 0, max: 65535, what: "a UDP port", default: "5683" },
    host: { kind: "string", default: "127.0.0.1" },
    algorithm: { kind: "string", default: "SHA256", choices: ["SHA256", "SHA384", "SHA512", "MD5", "CRC32", "MURMUR3_32", "MURMUR3_128"] },
    emulate: { kind: "string", choices: ["mqtt", "http", "coap"] }, board: { kind: "board" },
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

export const ALL: Command[] = [DEMO, MKIMAGE, INFO, INSTALL, STATUS, INSTALL_SCRIPT, NCP_SIM, BLE_SIM, ZIGATE_SIM, TB_SIM, DROGUE_SIM, SWEEP, FUZZ];

export const USAGE = `espruino-ota <command> [options]        (espruino-ota <command> --help for its options)
  demo                          a whole Blynk.Air update on emulated flash: v1 -> v2 (trial, confirm) -> bad v3 (rollback)
  mkimage --app F --out F --board B --type T --version V [--build S] [--with-client | --with-ble] [--zigbee-manufacturer 0xM --zigbee-image-type 0xT]
  info FILE...                  check an image whole and print its header
  install --port P --board B --image F [--erase-storage]   put the boot stub and F (slot 0) on a connected board, verified
  status --port P               OTA.boot and OTA.state() of a connected board
  install-script --board B --image F [--quit] [--erase-storage]   Espruino script: the OTA files into an empty Storage (.bootPowerOn, stub, .eota), F in slot 0
  ncp-sim --image F (--port P | --in-process)   play the Blynk NCP and push F
  ble-sim --image F --in-process   play the ESP BLE OTA client against an emulated Bluetooth board
  zigate-sim --image F (--port P | --in-process)   play a ZiGate OTA server + plugin + XBee and serve the Zigbee OTA file F
  tb-sim --image F ...          a ThingsBoard device-API stand-in, MQTT + HTTP + CoAP
  drogue-sim --image F ...      Drogue IoT's update service: serial (drgdfu frames), HTTP, MQTT; --in-process
  sweep [--board B] [--quick]   power cut at every flash operation; last line: power-cut sweep: N cuts, B bricked, L lost
  fuzz [--inputs N] [--seed S]  hostile inputs to the client; last line: fuzz: N inputs, C crashes, W stray writes
`;
