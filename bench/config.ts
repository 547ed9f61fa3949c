// Settings of the benchmark harness, from the environment. Everything targets 127.0.0.1 only.

export type SizeName = "tiny" | "small" | "default" | "large";

export interface SizeSpec {
  organizations: number;
  plans: number;
  /** Every organization gets at least this many plans (W4 reads two pages, W5 writes to older plans). */
  minPlansPerOrganization: number;
}

export const sizes: Record<SizeName, SizeSpec> = {
  tiny: { organizations: 4, plans: 300, minPlansPerOrganization: 60 },
  small: { organizations: 20, plans: 5_000, minPlansPerOrganization: 60 },
  default: { organizations: 50, plans: 50_000, minPlansPerOrganization: 100 },
  large: { organizations: 100, plans: 200_000, minPlansPerOrganization: 100 },
};

export const benchHost = "127.0.0.1";

export interface BenchConfig {
  size: SizeName;
  /** Superuser URL of the server's maintenance database (creates and drops the bench database). */
  adminUrl: string;
  databaseName: string;
}

function sizeFrom(raw: string | undefined): SizeName {
  const value = raw && raw !== "" ? raw : "default";
  if (value in sizes) return value as SizeName;
  throw new Error(`SIZE must be one of ${Object.keys(sizes).join(", ")}, got "${value}"`);
}

/** Refuses anything but the loopback address: this harness sends load, and load goes to this machine only. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") {
    throw new Error(`the benchmark only targets 127.0.0.1, not ${host}`);
  }
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const adminUrl = env.BENCH_ADMIN_URL || `postgres://postgres@${benchHost}:5432/postgres`;
  assertLoopback(adminUrl);
  const databaseName = env.BENCH_DATABASE || "trovella_bench";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseName)) {
    throw new Error(`BENCH_DATABASE must be a plain lower-case identifier, got "${databaseName}"`);
  }
  return { size: sizeFrom(env.SIZE), adminUrl, databaseName };
}

/** The owner URL of the bench database (same server and login as the admin URL). */
export function databaseUrl(config: BenchConfig, database = config.databaseName): string {
  const url = new URL(config.adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The same server and database, logging in as another role (trust authentication). */
export function urlAs(url: string, role: string, port?: number): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = "";
  if (port !== undefined) parsed.port = String(port);
  return parsed.toString();
}
