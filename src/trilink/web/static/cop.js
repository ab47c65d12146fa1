// The common operational picture: a Leaflet map without tiles, the alert and status panels, and
// live updates from the server's event stream. Every text from the server goes in through
// textContent, never as HTML, so nothing a partner sends can become markup here.
"use strict";

(function () {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
  const CSRF = meta("csrf-token");
  const ROLE = meta("trilink-role");
  const NATION = meta("trilink-nation");
  const TZ = meta("trilink-tz");
  const COLORS = { own: "#00e5ff", KOR: "#4caf50", USA: "#b388ff", JPN: "#ff5252", fused: "#ffffff" };
  const CLOSED = new Set(["cancel", "all_clear"]);
  const HIGHLIGHT = "#ffbf47";

  let lang = "en";
  let snap = null;
  let receivedAt = 0;
  const areaNames = {};
  const areaLayers = {};
  // Launches whose history is unfolded: a redraw keeps them open.
  const openHistory = new Set();
  // Alert ids already announced to screen readers, and the launch whose alert the map shows.
  const announced = new Set();
  let centred = null;

  // The SVG exactly covers the map (Leaflet's default overhangs it by 10 %, clipped): a layer
  // sticking out under the header would hide the header's colours from contrast checkers.
  const map = L.map("map", {
    attributionControl: false, worldCopyJump: false, minZoom: 3, renderer: L.svg({ padding: 0 }),
  });
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  map.setView([38.5, 134], 5);
  const base = L.layerGroup().addTo(map);
  const zones = L.layerGroup().addTo(map);
  const dynamic = L.layerGroup().addTo(map);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  // Leaflet puts a string tooltip in as HTML: give it an element holding plain text instead.
  const tip = (text) => el("span", {}, text);

  function showError(msg) {
    document.getElementById("error").textContent = msg || "";
  }

  async function getJSON(url) {
    const r = await fetch(url, { credentials: "same-origin" });
    if (r.status === 401) { window.location.assign("/login"); throw new Error("logged out"); }
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r.json();
  }

  async function post(url, body) {
    const r = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": CSRF, "Content-Type": "application/json" },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    if (!r.ok) {
      let detail = String(r.status);
      try { detail = (await r.json()).detail; } catch (e) { /* not JSON */ }
      showError(`${url}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
      return null;
    }
    showError("");
    return r.json();
  }

  // -- base map ----------------------------------------------------------------------------
  async function loadBase() {
    const [coast, areas] = await Promise.all([
      getJSON("/api/v1/map/coast.geojson"),
      getJSON("/api/v1/map/areas.geojson"),
    ]);
    L.geoJSON(areas, {
      style: { color: "#5b6b7c", weight: 0.6, fillColor: "#2a3542", fillOpacity: 1 },
      onEachFeature: (f, layer) => {
        areaNames[f.properties.code] = f.properties;
        areaLayers[f.properties.code] = layer;
        layer.on("add", () => layer.getElement().setAttribute("data-area", f.properties.code));
        layer.bindTooltip(() => tip(`${f.properties.code} ${areaName(f.properties.code)}`), { sticky: true });
      },
    }).addTo(base);
    L.geoJSON(coast, { style: { color: "#8da2b8", weight: 0.8 }, interactive: false }).addTo(base);
    untab();
    if (snap) drawPicture();
    // The zone lines are built on first request (seconds); the map is usable before them.
    getJSON("/api/v1/map/zones.geojson").then((z) => {
      L.geoJSON(z, {
        interactive: false,
        // The territorial sea hugs the coast: a faint solid line, so the coast stays readable.
        style: (f) => (f.properties.zone === "eez"
          ? { color: "#4f8fc0", weight: 1, dashArray: "6 4" }
          : { color: "#c0a04f", weight: 0.8, opacity: 0.45 }),
      }).addTo(zones);
    }).catch((e) => showError(String(e)));
  }

  // Chrome makes an SVG shape with a focus listener (Leaflet's, for tooltips) a Tab stop: a
  // hundred provinces and every track, redrawn at each update, between the header and the
  // alerts. Keyboard users move the map itself (arrows, +/-); the alerts name what is warned.
  function untab() {
    for (const e of document.querySelectorAll("#map path.leaflet-interactive")) e.setAttribute("tabindex", "-1");
  }

  function areaName(code) {
    const p = areaNames[code];
    return p ? p[`name_${lang}`] || p.name_en : code;
  }

  // -- the picture -------------------------------------------------------------------------
  function trackColor(t) {
    if (t.origin === "own") return COLORS.own;
    if (t.origin === "fused") return COLORS.fused;
    return COLORS[t.nations[0]] || "#cccccc";
  }

  function ellipse(p) {
    // 95 % ellipse: semi-axes in metres, the major axis at azimuth (degrees from north).
    const pts = [];
    const az = (p.azimuth_deg * Math.PI) / 180;
    const mPerDegLat = 111320;
    const mPerDegLon = 111320 * Math.cos((p.lat_deg * Math.PI) / 180);
    for (let i = 0; i <= 72; i++) {
      const a = (2 * Math.PI * i) / 72;
      const u = p.major_m * Math.cos(a);
      const v = p.minor_m * Math.sin(a);
      const east = u * Math.sin(az) + v * Math.cos(az);
      const north = u * Math.cos(az) - v * Math.sin(az);
      pts.push([p.lat_deg + north / mPerDegLat, p.lon_deg + east / mPerDegLon]);
    }
    return pts;
  }

  function openAlerts() {
    const latest = {};
    for (const a of snap.alerts) latest[a.launch_id] = a;
    return latest;
  }

  function drawPicture() {
    dynamic.clearLayers();
    for (const code of Object.keys(areaLayers)) {
      areaLayers[code].setStyle({ fillColor: "#2a3542", fillOpacity: 1 });
    }
    const latest = openAlerts();
    for (const a of Object.values(latest)) {
      if (CLOSED.has(a.stage)) continue;
      for (const th of a.areas) {
        const layer = areaLayers[th.code];
        if (!layer) continue;
        // Shaded by probability: a 5 % area is visibly warned, a certain one is solid red.
        layer.setStyle({ fillColor: "#e53935", fillOpacity: 0.35 + 0.6 * Math.min(1, th.probability) });
      }
    }
    // The areas of the alert chosen from the panel: outlined in amber, under the picture.
    const shown = centred && latest[centred];
    for (const th of shown ? shown.areas : []) {
      const layer = areaLayers[th.code];
      if (!layer) continue;
      L.geoJSON(layer.toGeoJSON(), {
        interactive: false, style: { color: HIGHLIGHT, weight: 3, fill: false, className: "area-shown" },
      }).addTo(dynamic);
    }
    for (const l of snap.launches) {
      L.circle([l.lat_deg, l.lon_deg], {
        radius: 2.448 * l.sigma_m, color: "#ffbf47", weight: 1, fillOpacity: 0.15, className: "launch-sigma",
      }).bindTooltip(tip(`launch ${l.launch_id} (${l.missile_class}), 95 % circle`)).addTo(dynamic);
      L.circleMarker([l.lat_deg, l.lon_deg], {
        radius: 6, color: "#ffbf47", fillColor: "#ffbf47", fillOpacity: 1, className: "launch-point",
      }).bindTooltip(tip(`launch ${l.launch_id} seen by ${l.source}`)).addTo(dynamic);
    }
    for (const p of snap.predictions) {
      if (p.ground_track.length > 1) {
        L.polyline(p.ground_track, {
          color: "#ffbf47", weight: 2, dashArray: "8 6", className: "ground-track",
        }).bindTooltip(tip(`${p.object_id}: predicted ground track`)).addTo(dynamic);
      }
      L.polygon(ellipse(p), {
        color: "#ff5252", weight: 2, fillColor: "#ff5252", fillOpacity: 0.25, className: "impact-ellipse",
      }).bindTooltip(tip(`${p.object_id}: predicted impact, 95 % ellipse`)).addTo(dynamic);
    }
    for (const t of snap.tracks) {
      const pts = t.history.map((h) => [h.lat_deg, h.lon_deg]);
      if (!pts.length) continue;
      const color = trackColor(t);
      const booster = t.role === "booster";
      L.polyline(pts, {
        color, weight: booster ? 2 : 3, dashArray: booster ? "4 4" : null, className: `track track-${t.role}`,
      }).bindTooltip(tip(`${t.object_id} ${t.role} (${t.origin}: ${t.nations.join("+")})`)).addTo(dynamic);
      const head = pts[pts.length - 1];
      const alt = Math.round(t.history[t.history.length - 1].alt_m / 1000);
      const label = `${t.object_id} ${t.role}, ${alt} km`;
      if (booster) {
        L.marker(head, {
          icon: L.divIcon({ className: "booster-icon", html: "◇", iconSize: [16, 16] }),
          keyboard: false,
        }).bindTooltip(tip(label)).addTo(dynamic);
      } else {
        L.circleMarker(head, {
          radius: 6, color, fillColor: color, fillOpacity: 1, className: `head head-${t.role}`,
        }).bindTooltip(tip(label)).addTo(dynamic);
      }
    }
    untab();
  }

  // -- panels ------------------------------------------------------------------------------
  // The picture's time: a replay runs at its own speed (clock_rate), and stands still paused.
  function serverNowNs() {
    const rate = typeof snap.clock_rate === "number" ? snap.clock_rate : 1;
    return snap.now_ns + (Date.now() - receivedAt) * 1e6 * rate;
  }

  function clock(ns) {
    return new Date(ns / 1e6).toISOString().slice(11, 19) + "Z";
  }

  function countdownText(arrivalNs) {
    const s = Math.round((arrivalNs - serverNowNs()) / 1e9);
    if (s <= 0) return "arrival time passed";
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} to arrival`;
  }

  function drawAlerts() {
    const box = document.getElementById("alerts");
    box.replaceChildren();
    const byLaunch = {};
    for (const a of snap.alerts) (byLaunch[a.launch_id] = byLaunch[a.launch_id] || []).push(a);
    const launches = Object.keys(byLaunch);
    if (!launches.length) { box.append(el("p", { class: "empty" }, "No alert.")); return; }
    for (const lid of launches.reverse()) {
      const list = byLaunch[lid];
      const a = list[list.length - 1];
      const text = a.texts[lang];
      const closed = CLOSED.has(a.stage);
      // Each card takes the focus; Enter or Space on it (or a click) shows it on the map.
      const card = el("article", {
        class: `alert${closed ? " closed" : ""}${centred === lid ? " centred" : ""}`,
        "data-alert": a.alert_id, "data-launch": lid, tabindex: "0",
        "aria-label": `${a.stage.replace("_", " ")} alert ${a.alert_id}`, "aria-describedby": "alert-hint",
      });
      card.addEventListener("keydown", (e) => {
        if (e.target !== card || (e.key !== "Enter" && e.key !== " ")) return;
        e.preventDefault();  // Space would scroll the panel
        showOnMap(lid);
      });
      card.addEventListener("click", (e) => {
        if (!e.target.closest("button, summary, details, a, input")) showOnMap(lid);
      });
      card.append(
        el("div", {}, el("span", { class: "stage" }, a.stage.replace("_", " ")), ` · ${a.alert_id} · ${clock(a.issued_ns)}`),
        el("div", { class: "headline", lang }, text.headline),
        el("p", { class: "description", lang }, text.description),
      );
      if (text.instruction) card.append(el("p", { class: "instruction", lang }, text.instruction));
      const arrivals = a.areas.map((x) => x.arrival_ns).filter((x) => x !== null);
      if (!closed && arrivals.length) {
        card.append(el("div", { class: "countdown", "data-arrival": String(Math.min(...arrivals)) }, countdownText(Math.min(...arrivals))));
      }
      if (a.areas.length) {
        const ul = el("ul", { class: "areas" });
        for (const th of a.areas) {
          ul.append(el("li", { "data-area": th.code }, `${th.code} ${areaName(th.code)} — ${Math.round(th.probability * 100)} % ${th.kind}`));
        }
        card.append(ul);
      }
      if (a.acknowledged_by.length) card.append(el("div", { class: "acks" }, `acknowledged by ${a.acknowledged_by.join(", ")}`));
      if (ROLE === "operator") {
        const actions = el("div", { class: "actions" });
        if (!a.acknowledged_by.length) {
          actions.append(el("button", { type: "button", class: "ack", "data-focus": "ack", onclick: () => post(`/api/v1/alerts/${encodeURIComponent(a.alert_id)}/acknowledge`) }, "Acknowledge"));
        }
        if (!closed) {
          actions.append(
            el("button", { type: "button", class: "danger cancel", "data-focus": "cancel", onclick: () => confirmPost(`Issue a CANCEL for launch ${lid}?`, `/api/v1/launches/${encodeURIComponent(lid)}/cancel`) }, "Cancel alert"),
            el("button", { type: "button", class: "all-clear", "data-focus": "all-clear", onclick: () => confirmPost(`Issue the ALL CLEAR for launch ${lid}?`, `/api/v1/launches/${encodeURIComponent(lid)}/all-clear`) }, "All clear"),
          );
        }
        card.append(actions);
      }
      const hist = el("details", { "data-launch": lid }, el("summary", { "data-focus": "history" }, `history (${list.length})`));
      if (openHistory.has(lid)) hist.open = true;
      hist.addEventListener("toggle", () => { if (hist.open) openHistory.add(lid); else openHistory.delete(lid); });
      const ol = el("ol", { reversed: "" });
      for (const h of list.slice().reverse()) {
        ol.append(el("li", {}, `${clock(h.issued_ns)} ${h.stage} — ${h.texts[lang].headline}`));
      }
      hist.append(ol);
      card.append(hist);
      box.append(card);
    }
  }

  // Fit the map to an alert's areas, launch point and impact ellipse, outline its areas, and
  // say so to screen readers (the map itself is a picture to them).
  function showOnMap(lid) {
    const a = openAlerts()[lid];
    if (!a) return;
    centred = lid;
    const pts = [];
    for (const th of a.areas) {
      const layer = areaLayers[th.code];
      if (layer) { const b = layer.getBounds(); pts.push(b.getSouthWest(), b.getNorthEast()); }
    }
    if (a.launch_lat_deg !== null && a.launch_lon_deg !== null) pts.push(L.latLng(a.launch_lat_deg, a.launch_lon_deg));
    if (a.impact) pts.push(...ellipse(a.impact).map((p) => L.latLng(p[0], p[1])));
    if (pts.length) map.fitBounds(L.latLngBounds(pts), { padding: [30, 30], maxZoom: 8, animate: !reducedMotion.matches });
    drawPicture();
    for (const c of document.querySelectorAll("article.alert")) c.classList.toggle("centred", c.dataset.launch === lid);
    const names = a.areas.map((th) => `${th.code} ${areaName(th.code)}`).join(", ");
    say("announce", `Map shows alert ${a.alert_id}${names ? ": " + names : ""}.`, "en");
  }

  // A live region is read out when its text changes: clear it first, so a repeat is read too.
  function say(id, text, textLang) {
    const region = document.getElementById(id);
    region.textContent = "";
    region.setAttribute("lang", textLang);
    window.setTimeout(() => { region.textContent = text; }, 50);
  }

  // New alerts are read out: one naming warned areas at once (role="alert"), others politely.
  function announce(newSnap) {
    const fresh = {};
    for (const a of newSnap.alerts) {
      if (announced.has(a.alert_id)) continue;
      announced.add(a.alert_id);
      fresh[a.launch_id] = a;
    }
    const urgent = [];
    const polite = [];
    for (const a of Object.values(fresh)) {
      const line = `${a.stage.replace("_", " ")}: ${a.texts[lang].headline}`;
      (a.areas.length && !CLOSED.has(a.stage) ? urgent : polite).push(line);
    }
    if (urgent.length) say("announce-urgent", urgent.join(" "), lang);
    if (polite.length) say("announce", polite.join(" "), lang);
  }

  function confirmPost(question, url) {
    if (window.confirm(question)) post(url);
  }

  function drawStatus() {
    const links = document.querySelector("#links tbody");
    links.replaceChildren(...snap.links.map((l) => el("tr", {},
      el("td", {}, l.peer),
      el("td", { class: l.up ? "up" : "down" }, l.up ? "up" : "down"),
      el("td", {}, l.route.replace("_", " ")),
      el("td", {}, l.last_rx_ns === null ? "never" : clock(l.last_rx_ns)),
    )));
    const ags = document.querySelector("#agreements tbody");
    // A reason being typed survives the redraw, and so does the focus on it or its button.
    const typed = {};
    for (const i of ags.querySelectorAll("input[data-agreement]")) typed[`${i.dataset.agreement}:${i.dataset.action}`] = i.value;
    const had = document.activeElement && ags.contains(document.activeElement)
      ? [document.activeElement.dataset.agreement, document.activeElement.tagName] : null;
    ags.replaceChildren(...snap.agreements.map((g) => {
      const cell = el("td", {});
      if (ROLE === "admin" && g.state !== "terminated") {
        const action = g.state === "in_force" ? "suspend" : "restore";
        const reason = el("input", { type: "text", maxlength: "500", placeholder: "reason", "aria-label": `reason to ${action} ${g.name}`, "data-agreement": g.name, "data-action": action });
        // Keyed by the action too: a suspension's reason does not turn into the restoring one.
        if (typed[`${g.name}:${action}`]) reason.value = typed[`${g.name}:${action}`];
        cell.append(reason, el("button", {
          type: "button", class: action === "suspend" ? "danger" : "", "data-agreement": g.name,
          onclick: () => {
            if (!reason.value.trim()) { showError("give a reason"); reason.focus(); return; }
            post(`/api/v1/agreements/${encodeURIComponent(g.name)}`, { action, reason: reason.value.trim() });
          },
        }, action));
      }
      return el("tr", {}, el("td", { title: g.title }, g.name), el("td", {}, g.state.replace("_", " ")), cell);
    }));
    if (had) {
      const again = ags.querySelector(`${had[1] === "INPUT" ? "input" : "button"}[data-agreement="${CSS.escape(had[0] || "")}"]`);
      if (again) again.focus({ preventScroll: true });
    }
    const counters = document.querySelector("#counters tbody");
    counters.replaceChildren(...Object.entries(snap.counters).map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", {}, String(v)))));
    const banner = document.getElementById("status-banner");
    banner.classList.toggle("hidden", snap.status === "actual");
    if (snap.status !== "actual") {
      const s = snap.status.toUpperCase();
      const words = `${s} — NOT A REAL EVENT — ${s}`;
      // Only on a change: the banner is a live region, rewriting it would read it out again.
      const span = banner.querySelector("span");
      if (span.textContent !== words) span.textContent = words;
    }
  }

  // -- timeline ----------------------------------------------------------------------------
  const WORDS = {
    en: {
      title: "Timeline", none: "No launch.", launch: "Launch", event: "event", nation: "nation",
      after: "after launch", time: "time",
      what: {
        launch: "launch", first_notice: "first notice", first_area_warning: "first area warning",
        impact: "outcome: impact", all_clear: "outcome: all clear", cancel: "outcome: cancelled",
        pending: "outcome: pending",
      },
      zone: { land: "on land", territorial_sea: "in the territorial sea", eez: "in the EEZ", high_seas: "on the high seas" },
      seconds: (s) => `+${s} s`,
      replay: {
        name: "Replay", between: "between rounds", paused: "paused", running: "running",
        pause: "Pause replay", resume: "Resume replay", speed: "speed", controls: "replay controls",
      },
    },
    ko: {
      title: "경과", none: "발사 없음.", launch: "발사", event: "사건", nation: "국가",
      after: "발사 후", time: "시각",
      what: {
        launch: "발사", first_notice: "최초 통보", first_area_warning: "최초 지역 경보",
        impact: "결과: 낙하", all_clear: "결과: 경보 해제", cancel: "결과: 취소", pending: "결과: 미정",
      },
      zone: { land: "육지", territorial_sea: "영해", eez: "배타적 경제수역", high_seas: "공해" },
      seconds: (s) => `+${s}초`,
      replay: {
        name: "재생", between: "회차 사이", paused: "일시 정지", running: "재생 중",
        pause: "재생 일시 정지", resume: "재생 계속", speed: "속도", controls: "재생 조작",
      },
    },
    ja: {
      title: "経過", none: "発射なし。", launch: "発射", event: "事象", nation: "国",
      after: "発射後", time: "時刻",
      what: {
        launch: "発射", first_notice: "第一報", first_area_warning: "最初の地域警報",
        impact: "結果: 落下", all_clear: "結果: 警報解除", cancel: "結果: 取消", pending: "結果: 未確定",
      },
      zone: { land: "陸上", territorial_sea: "領海", eez: "排他的経済水域", high_seas: "公海" },
      seconds: (s) => `+${s}秒`,
      replay: {
        name: "再生", between: "回の間", paused: "一時停止中", running: "再生中",
        pause: "再生を一時停止", resume: "再生を再開", speed: "速度", controls: "再生の操作",
      },
    },
  };
  const LOCALES = { en: "en-GB", ko: "ko-KR", ja: "ja-JP" };

  // A time in the reader's zone (the nation's, as the alert texts), with the zone's name.
  function localTime(ns) {
    try {
      return new Intl.DateTimeFormat(LOCALES[lang], {
        timeZone: TZ, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short",
      }).format(new Date(ns / 1e6));
    } catch (e) {
      return clock(ns);
    }
  }

  function entryDetail(e, w) {
    if (e.what === "first_area_warning") return e.areas.map((c) => `${c} ${areaName(c)}`).join(", ");
    if (e.what === "impact") {
      return [w.zone[e.zone] || e.zone, e.impact_nation, e.area ? `${e.area} ${areaName(e.area)}` : null]
        .filter((x) => x).join(" · ");
    }
    return e.alert_id || "";
  }

  function drawTimeline() {
    const w = WORDS[lang];
    const head = document.getElementById("timeline-h");
    head.textContent = w.title;
    head.setAttribute("lang", lang);
    const box = document.getElementById("timeline");
    box.setAttribute("lang", lang);
    if (!snap.timeline || !snap.timeline.length) { box.replaceChildren(el("p", { class: "empty" }, w.none)); return; }
    const tables = [];
    for (const lt of snap.timeline.slice().reverse()) {
      const rows = lt.entries.map((e) => {
        const outcome = ["impact", "all_clear", "cancel"].includes(e.what);
        const detail = entryDetail(e, w);
        const own = e.nation === NATION;
        const cls = [outcome ? "outcome" : "", own ? "" : "partner"].filter((x) => x).join(" ");
        return el("tr", { "data-what": e.what, "data-nation": e.nation, class: cls },
          el("th", { scope: "row" }, w.what[e.what], detail ? el("span", { class: "detail" }, detail) : null),
          el("td", {}, e.nation),
          el("td", {}, e.after_launch_s === null ? "—" : w.seconds(Math.round(e.after_launch_s))),
          el("td", {}, localTime(e.t_ns)));
      });
      if (lt.outcome === "pending") {
        rows.push(el("tr", { "data-what": "pending", class: "outcome" },
          el("th", { scope: "row" }, w.what.pending), el("td", {}, "—"), el("td", {}, "—"), el("td", {}, "—")));
      }
      tables.push(el("table", { class: "timeline", "data-launch": lt.launch_id, "data-outcome": lt.outcome },
        el("caption", {}, `${w.launch} ${lt.launch_id}`),
        el("thead", {}, el("tr", {},
          el("th", { scope: "col" }, w.event), el("th", { scope: "col" }, w.nation),
          el("th", { scope: "col" }, w.after), el("th", { scope: "col" }, w.time))),
        el("tbody", {}, ...rows)));
    }
    box.replaceChildren(...tables);
  }

  // -- replay (scenario runs only) ----------------------------------------------------------
  function replayText(r) {
    const w = WORDS[lang].replay;
    const speed = `${r.speed}×`;
    if (!r.running) return `${w.name} ${speed}: ${w.between}`;
    return `${w.name} ${speed}: ${r.paused ? w.paused : w.running}`;
  }

  function drawReplay() {
    const box = document.getElementById("replay");
    const r = snap.replay;
    box.classList.toggle("hidden", !r);
    if (!r) return;
    const w = WORDS[lang].replay;
    box.setAttribute("lang", lang);
    const state = document.getElementById("replay-state");
    const text = replayText(r);
    if (state.textContent !== text) state.textContent = text;  // a live region: only on a change
    const pause = document.getElementById("replay-pause");
    if (pause) {
      pause.textContent = r.paused ? w.resume : w.pause;
      pause.dataset.paused = String(r.paused);
    }
    const group = box.querySelector(".replay-controls");
    if (group) group.setAttribute("aria-label", w.controls);
    const label = box.querySelector('label[for="replay-speed"]');
    if (label) label.textContent = w.speed;
    const speed = document.getElementById("replay-speed");
    if (speed && document.activeElement !== speed) {
      if (![...speed.options].some((o) => Number(o.value) === r.speed)) {
        speed.append(el("option", { value: String(r.speed) }, `${r.speed}×`));
      }
      speed.value = [...speed.options].find((o) => Number(o.value) === r.speed).value;
    }
  }

  async function setReplay(body) {
    const r = await post("/api/v1/replay", body);
    if (!r || !snap) return;
    // At once, not at the next snapshot: the countdowns stop (or run at the new pace) now.
    snap.now_ns = serverNowNs();
    receivedAt = Date.now();
    snap.replay = r;
    snap.clock_rate = r.running && !r.paused ? r.speed : 0;
    drawReplay();
    tickCountdowns();
  }

  const pauseButton = document.getElementById("replay-pause");
  if (pauseButton) {
    pauseButton.addEventListener("click", () => {
      if (snap && snap.replay) setReplay({ paused: !snap.replay.paused });
    });
  }
  const speedSelect = document.getElementById("replay-speed");
  if (speedSelect) speedSelect.addEventListener("change", () => setReplay({ speed: Number(speedSelect.value) }));

  function update(newSnap) {
    // Keep focus on the same control of the same launch's card across a redraw, so keyboard
    // users are not thrown out; if the control is gone (acknowledged), on the card itself.
    const focused = document.activeElement;
    const card = focused && focused.closest ? focused.closest("article.alert[data-launch]") : null;
    const key = card ? [card.dataset.launch, focused === card ? null : focused.dataset.focus] : null;
    snap = newSnap;
    receivedAt = Date.now();
    drawPicture();
    drawAlerts();
    drawTimeline();
    drawReplay();
    drawStatus();
    announce(newSnap);
    if (key) {
      const again = document.querySelector(`article.alert[data-launch="${CSS.escape(key[0])}"]`);
      const part = again && key[1] ? again.querySelector(`[data-focus="${CSS.escape(key[1])}"]`) : null;
      if (part || again) (part || again).focus({ preventScroll: true });
    }
  }

  for (const b of document.querySelectorAll(".langs button")) {
    b.addEventListener("click", () => {
      lang = b.dataset.lang;
      for (const o of document.querySelectorAll(".langs button")) o.setAttribute("aria-pressed", String(o === b));
      if (snap) { drawAlerts(); drawTimeline(); drawReplay(); }
    });
  }

  function tickCountdowns() {
    if (!snap) return;
    for (const c of document.querySelectorAll(".countdown")) c.textContent = countdownText(Number(c.dataset.arrival));
  }
  setInterval(tickCountdowns, 1000);

  function connect() {
    const live = document.getElementById("live");
    const es = new EventSource("/api/v1/stream");
    es.addEventListener("state", (e) => {
      live.textContent = "live";
      live.classList.add("ok");
      update(JSON.parse(e.data));
    });
    es.addEventListener("logout", () => { es.close(); window.location.assign("/login"); });
    es.onerror = () => { live.textContent = "reconnecting…"; live.classList.remove("ok"); };
  }

  document.title = `trilink ${NATION} — common operational picture`;
  loadBase().catch((e) => showError(String(e)));
  connect();
})();
