import { execFileSync, spawnSync } from "node:child_process";
import {
  accessSync,
  chownSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, freePort, isAlive } from "./cluster.js";

// PgBouncer in front of a throwaway cluster, the way Debian packages it (1.18 on bookworm): transaction
// pooling, 10 server connections per database and user, trust authentication with an auth_file listing the
// logins. It runs as the postgres user (it refuses root) on a free loopback port, daemonised with its pid,
// ini and log in a folder of its own; stop() shuts it down and deletes the folder. Like the clusters, the
// folder holds the pid of the test process, and a later run stops a PgBouncer whose test process died.
//
// Where the binary is missing: pgBouncerBinary() is null. CI installs it (.ci/ensure-services.sh) and sets
// REQUIRE_PGBOUNCER=1, which turns a missing binary into a failure (requirePgBouncer). On a newcomer's
// machine without it, the tests that need it are not registered, and the file says so on the console.

const prefix = "trovella-pgbouncer-";
const asRoot = process.getuid?.() === 0;

/** The PgBouncer executable: PGBOUNCER_BIN, /usr/sbin/pgbouncer (Debian) or `pgbouncer` on PATH; null if none. */
export function pgBouncerBinary(): string | null {
  const candidates = [process.env.PGBOUNCER_BIN, "/usr/sbin/pgbouncer"];
  for (const dir of (process.env.PATH ?? "").split(":")) if (dir) candidates.push(join(dir, "pgbouncer"));
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not there; try the next.
    }
  }
  return null;
}

/**
 * Whether the PgBouncer tests can run here. Throws when the binary is missing and the environment requires it
 * (REQUIRE_PGBOUNCER=1, set by .ci/run, or CI=true): CI must never pass by leaving these tests out.
 */
export function requirePgBouncer(): boolean {
  if (pgBouncerBinary()) return true;
  const required = process.env.REQUIRE_PGBOUNCER === "1" || process.env.CI === "true";
  if (required) {
    throw new Error(
      "pgbouncer is not installed, and this environment requires it (REQUIRE_PGBOUNCER=1 or CI=true): " +
        "run .ci/ensure-services.sh (apt-get install pgbouncer) or set PGBOUNCER_BIN",
    );
  }
  console.warn(
    "PgBouncer tests not registered: no pgbouncer binary (apt-get install pgbouncer, or set PGBOUNCER_BIN). CI requires it.",
  );
  return false;
}

export interface PgBouncerOptions {
  /** Server connections per database and user (default_pool_size); Debian's default ini says 20, we use 10. */
  poolSize?: number;
  /** Logins listed in the auth_file (trust: any password). */
  users?: string[];
  /** Further [pgbouncer] settings, e.g. { max_prepared_statements: "100" } on PgBouncer ≥ 1.21. */
  settings?: Record<string, string>;
  /** Another executable than pgBouncerBinary(). */
  binary?: string;
}

export interface PgBouncer {
  readonly port: number;
  /** postgres://<user>@127.0.0.1:<port>/<database>, through PgBouncer. */
  url(database: string, user?: string): string;
  /** PgBouncer's version line (`PgBouncer 1.18.0`). */
  readonly version: string;
  /** Shuts PgBouncer down (every client and server connection closed) and deletes its folder; safe twice. */
  stop(): Promise<void>;
  /** PgBouncer's log (for failure messages). */
  log(): string;
}

function postgresIds(): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Stops a daemonised PgBouncer (SIGTERM: immediate shutdown) and waits up to `timeoutMs` for it to exit. */
function stopDaemon(pidFile: string, timeoutMs: number): void {
  const pid = readPid(pidFile);
  if (pid === null || !isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) spawnSync("sleep", ["0.05"]);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

/** Stops and deletes PgBouncers left by test processes that no longer exist. */
function removeAbandoned(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    const owner = readPid(join(dir, "owner.pid"));
    if (owner === null || isAlive(owner)) continue;
    stopDaemon(join(dir, "pgbouncer.pid"), 2000);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PgBouncer in front of `server` (a throwaway cluster, or any PostgreSQL on 127.0.0.1: the bench's). */
export async function startPgBouncer(
  server: Pick<Cluster, "port">,
  options: PgBouncerOptions = {},
): Promise<PgBouncer> {
  const binary = options.binary ?? pgBouncerBinary();
  if (!binary) throw new Error("no pgbouncer binary (apt-get install pgbouncer, or set PGBOUNCER_BIN)");
  removeAbandoned();
  const version = execFileSync(binary, ["--version"], { encoding: "utf8" }).split("\n")[0] ?? "PgBouncer";
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const ini = join(dir, "pgbouncer.ini");
  const pidFile = join(dir, "pgbouncer.pid");
  const logFile = join(dir, "pgbouncer.log");
  const users = options.users ?? ["postgres", "trovella_app", "trovella_auth"];
  writeFileSync(join(dir, "owner.pid"), String(process.pid));
  writeFileSync(join(dir, "userlist.txt"), users.map((user) => `"${user}" ""\n`).join(""));
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    stopDaemon(pidFile, 5000);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", stopSync);
  const readLog = (): string => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };

  const writeIni = (port: number) => {
    const settings: Record<string, string> = {
      listen_addr: "127.0.0.1",
      listen_port: String(port),
      unix_socket_dir: "",
      auth_type: "trust",
      auth_file: join(dir, "userlist.txt"),
      admin_users: "postgres",
      pool_mode: "transaction",
      default_pool_size: String(options.poolSize ?? 10),
      max_client_conn: "1000",
      ignore_startup_parameters: "extra_float_digits,options",
      logfile: logFile,
      pidfile: pidFile,
      ...options.settings,
    };
    const lines = [
      "[databases]",
      `* = host=127.0.0.1 port=${server.port}`,
      "",
      "[pgbouncer]",
      ...Object.entries(settings).map(([key, value]) => `${key} = ${value}`),
      "",
    ];
    writeFileSync(ini, lines.join("\n"));
    if (asRoot) {
      const { uid, gid } = postgresIds();
      chownSync(ini, uid, gid);
    }
  };

  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      writeIni(port);
      const [command, args] = asRoot ? ["runuser", ["-u", "postgres", "--", binary, "-d", ini]] : [binary, ["-d", ini]];
      const started = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });
      let listening = false;
      if (started.status === 0) {
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          if (await accepts(port)) {
            listening = true;
            break;
          }
          const pid = readPid(pidFile);
          if (pid !== null && !isAlive(pid)) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      if (listening) {
        return {
          port,
          version,
          url: (database, user = "postgres") => `postgres://${user}@127.0.0.1:${port}/${database}`,
          async stop() {
            process.removeListener("exit", stopSync);
            stopSync();
          },
          log: readLog,
        };
      }
      // A port taken between the probe and the start (or a slow start): try another port.
      stopDaemon(pidFile, 2000);
      if (attempt >= 5) {
        throw new Error(`could not start PgBouncer: ${started.stderr ?? ""}\n${readLog()}`);
      }
    }
  } catch (error) {
    stopSync();
    throw error;
  }
}
