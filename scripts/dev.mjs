/**
 * `npm run dev`: the LangGraph dev server (langgraphjs dev) with the arguments given, after a
 * check that its port is free. A port in use (another `npm run dev`, another service) is one
 * line and exit status 1, instead of the server's stack trace and a watcher that keeps running
 * without serving. The last --port and --host given win, as they do for langgraphjs.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const last = (flag, fallback) => {
  let value = fallback;
  args.forEach((a, i) => {
    if (a === flag && i + 1 < args.length) value = args[i + 1];
    else if (a.startsWith(`${flag}=`)) value = a.slice(flag.length + 1);
  });
  return value;
};
const port = Number(last("--port", "2024"));
const host = last("--host", "127.0.0.1");

const free = await new Promise((resolve) => {
  const probe = createServer();
  probe.once("error", (e) => resolve(e.code === "EADDRINUSE" ? false : e));
  probe.listen(port, host, () => probe.close(() => resolve(true)));
});
if (free !== true) {
  const why = free === false ? "is in use" : `cannot be opened (${free.message})`;
  process.stderr.write(
    `error: port ${port} on ${host} ${why}: run npm run dev -- --port ${port + 1} (or another free port)\n`,
  );
  process.exit(1);
}

const langgraphjs = fileURLToPath(new URL("../node_modules/.bin/langgraphjs", import.meta.url));
const child = spawn(langgraphjs, ["dev", ...args], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
