/**
 * The service's settings: command-line flags, an optional config file (several regions, label
 * mapping, tokens file), and the environment (DATABASE_URL, INFRA_*_TOKEN).
 *
 *   npm run serve -- [--port 8080] [--host 127.0.0.1] [--scenario demo] [--speed 60]
 *                    [--config FILE] [--workers 1] [--clock real|manual] [--no-watch]
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { loadScenario } from "../world/scenario/load.js";

export class ServiceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ServiceConfigError";
  }
}
export const isServiceConfigError = (e: unknown): e is ServiceConfigError => e instanceof ServiceConfigError;

export const RegionConfig = z.object({
  /** The region's name, as alerts' region label carries it; defaults to the scenario's name. */
  name: z.string().min(1).max(100).optional(),
  scenario: z.string().min(1),
  seed: z.number().int().optional(),
  requireApproval: z.boolean().default(false),
  /** Graph settings for this region's incidents (maxSteps, recheckMinutes, model, ...). */
  options: z.record(z.string(), z.unknown()).default({}),
});

export const ConfigFile = z.object({
  regions: z.array(RegionConfig).min(1),
  labels: z
    .object({ region: z.string().default("region"), asset: z.string().default("asset") })
    .default({ region: "region", asset: "asset" }),
  tokensFile: z.string().optional(),
  speed: z.number().positive().optional(),
});

export interface Region {
  name: string;
  scenario: string;
  seed?: number;
  requireApproval: boolean;
  options: Record<string, unknown>;
  /** Asset ids of the region's network (an alert naming another is kept and flagged). */
  assets: ReadonlySet<string>;
}

export interface ServiceConfig {
  port: number;
  host: string;
  speed: number;
  clock: "real" | "manual";
  workers: number;
  watch: boolean;
  regions: Region[];
  labels: { region: string; asset: string };
  tokensFile?: string;
  databaseUrl?: string;
}

const HELP =
  "usage: npm run serve -- [--port N] [--host H] [--scenario REF] [--speed N] [--config FILE] [--workers N] [--clock real|manual] [--no-watch]";

function flagValue(args: string[], i: number, name: string): string {
  const v = args[i + 1];
  if (v === undefined || v.startsWith("--")) throw new ServiceConfigError(`${name} needs a value\n${HELP}`);
  return v;
}

function positive(v: string, name: string, integer = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new ServiceConfigError(`${name} must be a positive ${integer ? "integer" : "number"}, got "${v}"`);
  return n;
}

export function parseServiceArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  let port = 8080,
    host = "127.0.0.1",
    speed: number | undefined,
    scenario = "demo",
    configFile: string | undefined;
  let workers = 1,
    clock: "real" | "manual" = "real",
    watch = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case "--port": {
        const v = Number(flagValue(args, i++, a));
        if (!Number.isInteger(v) || v < 0 || v > 65535) throw new ServiceConfigError(`--port must be 0-65535`);
        port = v;
        break;
      }
      case "--host":
        host = flagValue(args, i++, a);
        break;
      case "--speed":
        speed = positive(flagValue(args, i++, a), a);
        break;
      case "--scenario":
        scenario = flagValue(args, i++, a);
        break;
      case "--config":
        configFile = flagValue(args, i++, a);
        break;
      case "--workers": {
        const v = Number(flagValue(args, i++, a));
        if (!Number.isInteger(v) || v < 0) throw new ServiceConfigError("--workers must be 0 or more");
        workers = v;
        break;
      }
      case "--clock": {
        const v = flagValue(args, i++, a);
        if (v !== "real" && v !== "manual") throw new ServiceConfigError("--clock must be real or manual");
        clock = v;
        break;
      }
      case "--no-watch":
        watch = false;
        break;
      case "--help":
      case "-h":
        throw new ServiceConfigError(HELP);
      default:
        throw new ServiceConfigError(`unknown argument "${a}"\n${HELP}`);
    }
  }
  let file: z.infer<typeof ConfigFile> = {
    regions: [{ scenario, requireApproval: false, options: {} }],
    labels: { region: "region", asset: "asset" },
  };
  if (configFile) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(configFile, "utf8"));
    } catch (e) {
      throw new ServiceConfigError(`cannot read the config file ${configFile}: ${(e as Error).message}`);
    }
    const parsed = ConfigFile.safeParse(raw);
    if (!parsed.success)
      throw new ServiceConfigError(
        `${configFile}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
      );
    file = parsed.data;
  }
  const regions = file.regions.map((r) => {
    let s;
    try {
      s = loadScenario(r.scenario);
    } catch (e) {
      throw new ServiceConfigError(`region scenario "${r.scenario}" cannot be loaded: ${(e as Error).message}`);
    }
    const assets = new Set<string>([...s.nodes.map((n) => n.id), ...s.links.map((l) => l.id)]);
    return {
      name: r.name ?? s.name,
      scenario: r.scenario,
      ...(r.seed !== undefined ? { seed: r.seed } : {}),
      requireApproval: r.requireApproval,
      options: r.options,
      assets,
    };
  });
  const names = new Set<string>();
  for (const r of regions) {
    if (names.has(r.name)) throw new ServiceConfigError(`two regions are named "${r.name}": give them distinct names`);
    names.add(r.name);
  }
  const tokensFile = file.tokensFile ?? env.INFRA_TOKENS_FILE;
  return {
    port,
    host,
    speed: speed ?? file.speed ?? 60,
    clock,
    workers,
    watch,
    regions,
    labels: file.labels,
    ...(tokensFile ? { tokensFile } : {}),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
  };
}

/** For the service's and the workers' entry points: the configuration, or the reason on stderr and exit status 2. */
export function parseServiceArgsOrExit(args: string[]): ServiceConfig {
  try {
    return parseServiceArgs(args);
  } catch (e) {
    if (!isServiceConfigError(e)) throw e;
    console.error(e.message);
    process.exit(2);
  }
}
