/**
 * Lint: no source file in src/ over MAX_LINES lines unless its first comment block says why, in a line starting
 * with "Size:" (for example " * Size: one table of 120 rules, easier to read in one place than split").
 * Prints one line per offender and exits 1 if there is any. `tsx scripts/check-file-size.ts [DIR] [--max N]`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const MAX_LINES = 400;
/**
 * Files another piece of work is rewriting right now, with what will end the exemption. Keep this short and dated:
 * an entry here is a promise, not a reason (reasons go in the file's own comment).
 */
const PENDING: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out.sort();
}

/** The file's first block comment (`/** ... *\/` or `/* ... *\/`), if the file starts with one (after a shebang). */
function leadingComment(text: string): string | null {
  const m = /^(?:#![^\n]*\n)?\s*\/\*([\s\S]*?)\*\//.exec(text);
  return m ? m[1] : null;
}

/** The reason a long file gives for its length: a "Size:" line in its leading comment. */
function sizeReason(text: string): string | null {
  const comment = leadingComment(text);
  const m = comment ? /^\s*\*?\s*Size:\s*(\S.*)$/m.exec(comment) : null;
  return m ? m[1].trim() : null;
}

function main(argv: string[]): number {
  const maxAt = argv.indexOf("--max");
  const max = maxAt >= 0 ? Number(argv[maxAt + 1]) : MAX_LINES;
  const dir = argv.find((a, i) => !a.startsWith("--") && (maxAt < 0 || i !== maxAt + 1)) ?? "src";
  let offenders = 0;
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    const pending = PENDING[relative(process.cwd(), file)];
    if (lines > max && pending)
      console.log(`${relative(process.cwd(), file)}: ${lines} lines, exempt for now: ${pending}`);
    else if (lines > max && !sizeReason(text)) {
      offenders++;
      console.log(
        `${relative(process.cwd(), file)}: ${lines} lines (over ${max}): split it, or say why in a "Size:" line of its first comment`,
      );
    }
  }
  if (offenders === 0) console.log(`file sizes: every file in ${dir}/ is at most ${max} lines or says why`);
  return offenders === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
