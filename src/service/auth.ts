/**
 * Bearer tokens with roles. Tokens come from INFRA_ALERT_TOKEN (alert-sender),
 * INFRA_OPERATOR_TOKEN (operator), INFRA_VIEWER_TOKEN (viewer), and a tokens file
 * ({"tokens": [{"token": "...", "role": "operator", "name": "alice"}]}). Tokens are kept
 * as SHA-256 digests and compared in constant time; a token never reaches a log: the
 * actor is the token's name, or its role.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { z } from "zod";

export const ROLES = ["viewer", "operator", "alert-sender"] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  role: Role;
}

/** What each route needs: operators may also read; an alert sender only posts alerts. */
export type Permission = "read" | "operate" | "send-alerts";
const GRANTS: Record<Role, Permission[]> = {
  viewer: ["read"],
  operator: ["read", "operate"],
  "alert-sender": ["send-alerts"],
};

const TokensFile = z.object({
  tokens: z.array(
    z.object({
      token: z.string().min(16, "tokens must be at least 16 characters"),
      role: z.enum(ROLES),
      name: z.string().min(1).max(100).optional(),
    }),
  ),
});

const digest = (token: string) => createHash("sha256").update(token, "utf8").digest();

export class TokenRegistry {
  private readonly entries: { hash: Buffer; principal: Principal }[] = [];

  static from(env: NodeJS.ProcessEnv, tokensFile?: string): TokenRegistry {
    const r = new TokenRegistry();
    const fromEnv: [string, Role][] = [
      ["INFRA_ALERT_TOKEN", "alert-sender"],
      ["INFRA_OPERATOR_TOKEN", "operator"],
      ["INFRA_VIEWER_TOKEN", "viewer"],
    ];
    for (const [name, role] of fromEnv) {
      const t = env[name];
      if (t) r.add(t, { name: role, role });
    }
    if (tokensFile) {
      let parsed;
      try {
        parsed = TokensFile.parse(JSON.parse(readFileSync(tokensFile, "utf8")));
      } catch (e) {
        // The message may quote the file's content: say only where it failed.
        throw new Error(
          `the tokens file ${tokensFile} is not valid (${e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") : (e as Error).name})`,
        );
      }
      for (const t of parsed.tokens) r.add(t.token, { name: t.name ?? t.role, role: t.role });
    }
    return r;
  }

  add(token: string, principal: Principal): void {
    this.entries.push({ hash: digest(token), principal });
  }

  get size(): number {
    return this.entries.length;
  }

  roles(): Role[] {
    return [...new Set(this.entries.map((e) => e.principal.role))];
  }

  /** Who holds this token, if anyone. Every entry is compared, so timing says nothing. */
  resolve(token: string): Principal | undefined {
    const h = digest(token);
    let found: Principal | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.hash, h)) found ??= e.principal;
    return found;
  }

  /** The request's principal from its Authorization header; undefined when missing or unknown. */
  fromRequest(req: IncomingMessage): Principal | undefined {
    const header = req.headers.authorization;
    if (typeof header !== "string") return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? this.resolve(m[1]) : undefined;
  }
}

export function allows(p: Principal, permission: Permission): boolean {
  return GRANTS[p.role].includes(permission);
}
