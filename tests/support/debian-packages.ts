/**
 * Debian packages an integration test needs (Prometheus, Alertmanager): when a binary is missing and this
 * process may install packages (root, with apt-get), install them once, so that `npm test` passes on a fresh
 * machine of this kind by itself; otherwise fail with the command that would.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export function ensureDebianBinaries(binaries: Record<string, string>): void {
  const missing = Object.entries(binaries).filter(([bin]) => !existsSync(bin));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (canInstall) {
    console.log(
      `installing Debian's ${packages.join(", ")} for this test (missing: ${missing.map(([b]) => b).join(", ")})`,
    );
    try {
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore", env, timeout: 300_000 });
      execFileSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "ignore", env, timeout: 600_000 });
    } catch (err) {
      throw new Error(`could not install ${packages.join(", ")} with apt-get: ${(err as Error).message}`);
    }
  }
  const still = missing.filter(([bin]) => !existsSync(bin)).map(([bin]) => bin);
  if (still.length > 0)
    throw new Error(
      `${still.join(", ")} IS MISSING: install Debian's packages (apt-get install -y ${packages.join(" ")})`,
    );
}
