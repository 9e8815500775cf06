import { realCases } from "../src/evaluation/cases.js";
import { evaluatePlan, proposeDispatchPlan, surrogateFor } from "../src/planning/optimizer.js";
import { World } from "../src/world/simulator.js";
const base = realCases({ ieee123Sets: [], shelbyCrews: [4], shelbyDamage: ["d50"], meshedDamaged: [] })[0].scenario;
console.log("deps", base.dependencies.length, "buffered", base.dependencies.filter((d) => (d.bufferHours ?? 0) > 0).length, "weather", base.weather.length);
for (const variant of ["as is", "no buffers"]) {
  const s = variant === "as is" ? base : { ...base, dependencies: base.dependencies.map((d) => ({ ...d, bufferHours: 0 })) };
  const w = new World(s);
  const p = proposeDispatchPlan(w, { localSearch: false });
  const h = w.now() + 30000;
  const sur = surrogateFor(w, h);
  const net = w.net;
  const lists = w.crewSummaries().map((c) => (p.plan.assignments.find((a) => a.crewId === c.id)?.assetIds ?? []).map((id) => net.index(id)!));
  console.log(variant, "sim", evaluatePlan(w, p.plan, h), "sur", sur.evaluate(lists), "onBackup", w.detectFailures().onBackup.length);
}
