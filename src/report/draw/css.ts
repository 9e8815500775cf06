/** The drawings' styles, shared by the report (inlined) and the console (served as a stylesheet). */
import { STATE_COLOURS } from "./common.js";

export const DRAWING_CSS = `
svg.map,svg.chart{display:block;background:#fbfcfd;border:1px solid #e3e8ee;border-radius:4px;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.link{stroke-width:2.2;fill:none;stroke-linecap:round}.link.working{opacity:.55}.link.damaged{stroke:${STATE_COLOURS.damaged};stroke-width:4.5}
.link.out_of_service{stroke:${STATE_COLOURS.out_of_service};stroke-dasharray:5 3;stroke-width:2.5}.link.restored{stroke:${STATE_COLOURS.restored};stroke-width:3.5}
.link.being_repaired{stroke:${STATE_COLOURS.being_repaired};stroke-width:4.5}
.node{stroke:#fff;stroke-width:1.2}.node.damaged{stroke:#7f0000;stroke-width:2}.node.out_of_service{stroke:#8a4b00;stroke-width:1.5}.node.being_repaired{stroke:#5c4a00;stroke-width:2}
.node.critical{stroke:#1d2733;stroke-width:2}.crit-ring{fill:none;stroke:#1d2733;stroke-width:2}
.node-dots{stroke:${STATE_COLOURS.working};stroke-width:2.5;stroke-linecap:round}
.route-leg{fill:none;stroke-width:2.6;opacity:.9}.route-leg.pending{stroke-dasharray:7 4}
.stop circle{stroke:#fff;stroke-width:1.5}.stop text{font-size:10px;font-weight:700;fill:#fff}
.crew-label{font-size:12px;font-weight:700;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.label{font-size:11px;fill:#1d2733;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.label.critical{font-weight:700;font-size:12px}.label.damaged{fill:#a31515;font-weight:600}.label.source{fill:#44505c}
.label.restored{fill:#1b6e1b;font-size:10.5px}.label.minor{fill:#5d6b7a;font-size:10px}.label.backup{fill:#7a4a00;font-weight:600}.label.backup.urgent{fill:#b00000}
.grid{stroke:#eef1f4}.axis{stroke:#5d6b7a}.tick{font-size:11px;fill:#5d6b7a}.axis-label{font-size:12px;fill:#1d2733}
.curve{fill:none;stroke:#d62728;stroke-width:2}.curve-area{fill:#d62728;opacity:.12}.curve-point{fill:#d62728}
.critical-band{fill:#7f0000}.repair-tick{stroke:#2ca02c;stroke-width:2}
.band.storm,.band.weather{fill:#5c6bc0;opacity:.10}.band.work_stopped{fill:#f9a825;opacity:.22}
.band-tag.storm,.band-tag.weather{fill:#5c6bc0;opacity:.25}.band-tag.work_stopped{fill:#f9a825;opacity:.55}.band-label{font-size:10.5px;fill:#1d2733}
.event line{stroke-width:1.5;stroke-dasharray:4 3}.event text{font-size:10.5px;paint-order:stroke;stroke:#fbfcfd;stroke-width:3px}
.event.cascade line{stroke:#8e24aa}.event.cascade text{fill:#6a1b9a}.event.damage line{stroke:#d62728}.event.damage text{fill:#a31515}
.event.deadline line{stroke:#1d2733;stroke-dasharray:none;stroke-width:2}.event.deadline text{fill:#1d2733;font-weight:700}.event.deadline.missed text{fill:#b00000}
.event.now line{stroke:#1d2733;stroke-dasharray:none}
.travel{fill:#b7cde8}.hold{fill:#f9a825}.repair{fill:#1f5fa8}.bar-label{font-size:11px;fill:#fff;font-weight:600;pointer-events:none}
.hold-label{font-size:9.5px;fill:#4a3500;font-weight:600;pointer-events:none}.now{stroke:#1d2733;stroke-width:1.5}
.legend{font-size:12px;margin:6px 0}.legend p{margin:3px 0}.legend span{display:inline-flex;align-items:center;gap:4px;margin-right:14px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px}
.legend i.sq.travel{background:#b7cde8}.legend i.sq.hold{background:#f9a825}.legend i.sq.repair{background:#1f5fa8}
.legend i.lg.storm{background:rgba(92,107,192,.3)}.legend i.lg.work_stopped{background:rgba(249,168,37,.55)}.legend i.lg.crit{background:#7f0000;height:5px}
.legend i.lg-curve{height:3px;background:#d62728}.legend i.lg-tick{width:3px;background:#2ca02c}
.legend i.lg-line{width:0;height:14px;border-left:2px dashed}.legend i.lg-line.cascade{border-color:#8e24aa}.legend i.lg-line.damage{border-color:#d62728}.legend i.lg-line.deadline{border-left-style:solid;border-color:#1d2733}
`;
