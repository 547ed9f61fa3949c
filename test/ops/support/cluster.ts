import { execFile, execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";

// A throwaway PostgreSQL cluster for fault tests: initdb into a temporary folder, started on a free loopback
// port with its socket in that folder (trust authentication), so the test may stop, restart and terminate
// backends without touching any other server. Uses the PostgreSQL binaries installed on the machine (the
// newest under /usr/lib/postgresql, or PG_BIN), which also carry pgvector (CI installs it beforehand).
//
// Each cluster gets its own folder and port; a port another process took between the probe and the start
// makes pg_ctl fail, and the start is retried on another port. The folder holds the pid of the test process:
// a later run stops and deletes clusters whose process died without cleaning up (a killed worker).

const run = promisify(execFile);
const prefix = "trovella-ops-";

export interface Cluster {
  readonly port: number;
  readonly dir: string;
  /** postgres://postgres@127.0.0.1:port/<database> (the superuser: the tables' owner in these tests). */
  url(database?: string): string;
  /** Creates a database (a copy of `template` when given) and returns the superuser's URL of it. */
  createDatabase(name: string, template?: string): Promise<string>;
  /** pg_ctl stop -m fast: every connection is closed. */
  stop(): Promise<void>;
  /** pg_ctl start, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server and deletes the folder; safe to call twice. */
  destroy(): Promise<void>;
  /** The server's log (for failure messages). */
  log(): string;
}

function pgBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions[0];
  if (!version) {
    throw new Error(`No PostgreSQL server binaries under ${root} (initdb, pg_ctl): install PostgreSQL or set PG_BIN`);
  }
  return join(root, version, "bin");
}

const asRoot = process.getuid?.() === 0;

/** Command and arguments, run as the postgres user when we are root (initdb refuses root). */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

/** A free loopback port (another process may still take it before it is used). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Stops and deletes clusters left by test processes that no longer exist. */
function removeAbandonedClusters(bin: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(join(dir, "owner.pid"), "utf8"));
    } catch {
      // No pid yet: a cluster being created right now, or a broken folder; leave it.
      continue;
    }
    if (Number.isInteger(owner) && isAlive(owner)) continue;
    const [command, args] = asPostgres(join(bin, "pg_ctl"), ["-D", join(dir, "data"), "stop", "-m", "immediate"]);
    spawnSync(command, args, { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startCluster(): Promise<Cluster> {
  const bin = pgBin();
  removeAbandonedClusters(bin);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  let port = 0;
  let destroyed = false;

  const pgCtl = async (...args: string[]) => {
    const [command, full] = asPostgres(join(bin, "pg_ctl"), ["-D", data, ...args]);
    await run(command, full, { timeout: 60_000 });
  };
  const destroySync = () => {
    if (destroyed) return;
    destroyed = true;
    const [command, args] = asPostgres(join(bin, "pg_ctl"), ["-D", data, "stop", "-m", "immediate"]);
    spawnSync(command, args, { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  };
  // Even when the worker exits without running afterAll.
  process.once("exit", destroySync);
  const readLog = (): string => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };

  try {
    const [initdb, initArgs] = asPostgres(join(bin, "initdb"), [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    await run(initdb, initArgs, { timeout: 120_000 });
    writeFileSync(join(dir, "owner.pid"), String(process.pid));

    const start = async () => {
      const options = [
        `-p ${port}`,
        `-k ${dir}`,
        "-c listen_addresses=127.0.0.1",
        "-c fsync=off",
        "-c synchronous_commit=off",
        "-c full_page_writes=off",
        "-c max_connections=200",
        "-c shared_buffers=64MB",
      ].join(" ");
      await pgCtl("-l", logFile, "-w", "-t", "60", "-o", options, "start");
    };

    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (error) {
        if (attempt >= 5) throw new Error(`could not start the throwaway cluster: ${String(error)}\n${readLog()}`);
      }
    }

    const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
    return {
      port,
      dir,
      url,
      async createDatabase(name, template) {
        const admin = postgres(url(), { max: 1, onnotice: () => {} });
        try {
          await admin.unsafe(`create database "${name}"${template ? ` template "${template}"` : ""}`);
        } finally {
          await admin.end();
        }
        return url(name);
      },
      stop: () => pgCtl("-w", "-t", "60", "stop", "-m", "fast"),
      start,
      async destroy() {
        process.removeListener("exit", destroySync);
        destroySync();
      },
      log: readLog,
    };
  } catch (error) {
    destroySync();
    throw error;
  }
}
