/**
 * Alerts in: an Alertmanager notification is stored (one row per alert, keyed by fingerprint
 * and startsAt) and mapped to incidents in one transaction, together with the runs it queues.
 * Only then does the caller answer 200: a notification that could not be stored is answered
 * 503, and Alertmanager sends it again.
 */
import type pg from "pg";
import type { Principal } from "./auth.js";
import type { Region, ServiceConfig } from "./config.js";
import type { JobQueue } from "./jobs.js";
import type { AlertIngestResult, AlertmanagerWebhook } from "./schemas.js";
import { addEvent, audit, openIncidentFor } from "./store.js";

/** Which served region an alert is for: its region label, or the only region served. */
export function regionOf(
  labels: Record<string, string>,
  config: Pick<ServiceConfig, "regions" | "labels">,
): Region | undefined {
  const name = labels[config.labels.region];
  if (name === undefined) return config.regions.length === 1 ? config.regions[0] : undefined;
  return config.regions.find((r) => r.name === name);
}

export async function ingestNotification(
  pool: pg.Pool,
  queue: JobQueue,
  config: Pick<ServiceConfig, "regions" | "labels">,
  body: AlertmanagerWebhook,
  sender: Principal,
): Promise<AlertIngestResult> {
  const result: AlertIngestResult = {
    received: body.alerts.length,
    new: 0,
    resolved: 0,
    duplicates: 0,
    unmatched: 0,
    unknownAssets: 0,
    incidents: [],
  };
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const n = await client.query(
      `INSERT INTO infra.notifications (sender, group_key, status, receiver, alert_count, truncated_alerts) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [sender.name, body.groupKey, body.status, body.receiver, body.alerts.length, body.truncatedAlerts],
    );
    const notification = Number(n.rows[0].id);
    const incidents = new Map<string, { id: string; opened: boolean; run: boolean; alerts: string[] }>();
    const seen = new Set<string>();
    for (const a of body.alerts) {
      const key = `${a.fingerprint}\u0000${a.startsAt}\u0000${a.status}`;
      if (seen.has(key)) {
        result.duplicates++;
        continue;
      }
      seen.add(key);
      const labels = { ...body.commonLabels, ...a.labels };
      const region = regionOf(labels, config);
      const asset = labels[config.labels.asset] ?? null;
      const assetKnown = Boolean(region && asset && region.assets.has(asset));
      if (!region) result.unmatched++;
      else if (asset && !assetKnown) result.unknownAssets++;
      const endsAt = a.endsAt && !a.endsAt.startsWith("0001-") ? a.endsAt : null;
      let changed: "new" | "resolved" | null = null;
      // The same row either way: a firing inserts it once, a resolution inserts it or resolves the firing one.
      const row = [
        a.fingerprint,
        a.startsAt,
        endsAt,
        JSON.stringify(labels),
        JSON.stringify(a.annotations),
        region?.name ?? null,
        asset,
        assetKnown,
        notification,
      ];
      if (a.status === "firing") {
        const r = await client.query(
          `INSERT INTO infra.alerts (fingerprint, starts_at, status, ends_at, labels, annotations, region, asset, asset_known, first_notification)
           VALUES ($1, $2, 'firing', $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (fingerprint, starts_at) DO NOTHING RETURNING fingerprint`,
          row,
        );
        if (r.rowCount) changed = "new";
      } else {
        // A resolution may arrive before its firing (out of order) or again (a repeat): recorded once.
        const r = await client.query(
          `INSERT INTO infra.alerts (fingerprint, starts_at, status, ends_at, labels, annotations, region, asset, asset_known, first_notification, resolved_at)
           VALUES ($1, $2, 'resolved', $3, $4, $5, $6, $7, $8, $9, now())
           ON CONFLICT (fingerprint, starts_at) DO UPDATE SET status = 'resolved', ends_at = EXCLUDED.ends_at, resolved_at = now()
             WHERE infra.alerts.status = 'firing'
           RETURNING (xmax = 0) AS inserted`,
          row,
        );
        if (r.rowCount) {
          changed = "resolved";
          if (r.rows[0].inserted) result.new++;
        }
      }
      if (!changed) {
        result.duplicates++;
        continue;
      }
      if (changed === "new") result.new++;
      else result.resolved++;
      if (!region) continue;
      // A firing alert opens the region's incident or joins it; a resolution joins an open one only.
      let inc = incidents.get(region.name);
      if (!inc) {
        if (changed === "resolved") {
          const open = await client.query(`SELECT id FROM infra.incidents WHERE region = $1 AND closed_at IS NULL`, [
            region.name,
          ]);
          if (!open.rows[0]) continue;
          inc = { id: open.rows[0].id as string, opened: false, run: false, alerts: [] };
        } else {
          const o = await openIncidentFor(
            client,
            region,
            `alert:${sender.name}`,
            a.annotations.summary ?? labels.alertname,
          );
          inc = { ...o, run: false, alerts: [] };
        }
        incidents.set(region.name, inc);
      }
      await client.query(
        `UPDATE infra.alerts SET incident_id = $3 WHERE fingerprint = $1 AND starts_at = $2 AND incident_id IS NULL`,
        [a.fingerprint, a.startsAt, inc.id],
      );
      inc.alerts.push(
        `${changed === "new" ? "firing" : "resolved"} ${labels.alertname ?? a.fingerprint}${asset ? ` ${asset}` : ""}`,
      );
      if (changed === "new") inc.run = true;
    }
    for (const inc of incidents.values()) {
      await addEvent(client, inc.id, "alert", {
        notification,
        alerts: inc.alerts.slice(0, 50),
        count: inc.alerts.length,
      });
      let queued = false;
      if (inc.run) {
        queued = await queue.enqueueRun(
          { incidentId: inc.id, reason: { kind: "alert", message: inc.alerts.slice(0, 5).join("; ") } },
          client,
        );
        await addEvent(client, inc.id, "run_queued", { reason: "alert", queued });
      }
      result.incidents.push({ id: inc.id, opened: inc.opened, runQueued: queued });
    }
    if (result.new + result.resolved > 0)
      await audit(client, sender, "alerts.received", null, {
        notification,
        new: result.new,
        resolved: result.resolved,
        duplicates: result.duplicates,
      });
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
