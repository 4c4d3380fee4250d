// The search page: state lives in the URL (shareable, back/forward work), every change asks
// /api/search once and redraws facets, results and the timeline. No library, nothing external.
"use strict";

const FILTERS = [
  ["country", "countries", "Countries"],
  ["person", "people", "People"],
  ["organization", "organizations", "Organizations"],
  ["location", "locations", "Locations"],
  ["topic", "topics", "Topics"],
  ["source", "source", "Sources"],
  ["language", "language", "Languages"],
];
const PAGE_SIZE = 10;
const FACET_SHOWN = 8;
const SVG = "http://www.w3.org/2000/svg";
const regionNames = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

// ---------------------------------------------------------------------------- state ---

function readState() {
  return new URLSearchParams(window.location.search);
}

function go(params, { resetPage = true } = {}) {
  if (resetPage) params.delete("page");
  for (const [key, value] of [...params.entries()]) if (value === "") params.delete(key, value);
  const query = params.toString();
  history.pushState(null, "", query ? `/?${query}` : "/");
  run();
}

function toggle(param, value) {
  const params = readState();
  if (params.getAll(param).includes(value)) params.delete(param, value);
  else params.append(param, value);
  go(params);
}

function label(param, value) {
  if (param === "country" && regionNames) {
    try {
      const name = regionNames.of(value);
      if (name && name !== value) return `${name} (${value})`;
    } catch (_) { /* not a region code */ }
  }
  return value;
}

// -------------------------------------------------------------------------- drawing ---

function drawActiveFilters(params) {
  const box = $("active-filters");
  box.replaceChildren();
  const chips = [];
  for (const [param, , title] of FILTERS) {
    for (const value of params.getAll(param)) {
      chips.push(el("button", {
        class: "chip active", type: "button", "data-filter": param, title: `remove ${title.toLowerCase()} filter`,
        onclick: () => toggle(param, value),
      }, `${label(param, value)} ×`));
    }
  }
  for (const bound of ["from", "to"]) {
    if (params.get(bound)) {
      chips.push(el("button", {
        class: "chip active", type: "button", "data-filter": bound,
        onclick: () => { const p = readState(); p.delete(bound); go(p); },
      }, `${bound} ${params.get(bound)} ×`));
    }
  }
  if (chips.length) {
    box.append(el("span", { class: "muted", text: "Filters:" }), ...chips);
    box.append(el("button", { class: "link", type: "button", onclick: () => {
      const p = new URLSearchParams(); if (params.get("q")) p.set("q", params.get("q")); go(p);
    } }, "clear all"));
  }
}

function drawFacets(result, params) {
  const lists = $("facet-lists");
  lists.replaceChildren();
  for (const [param, field, title] of FILTERS) {
    const buckets = result.facets[field] || [];
    if (!buckets.length) continue;
    const selected = new Set(params.getAll(param));
    const list = el("ul", { class: "facet-values" });
    buckets.forEach((bucket, i) => {
      const isOn = selected.has(String(bucket.value));
      const item = el("li", i >= FACET_SHOWN && !isOn ? { class: "extra" } : {},
        el("button", {
          type: "button", class: isOn ? "facet-value on" : "facet-value", "aria-pressed": String(isOn),
          "data-facet": param, "data-value": bucket.value, onclick: () => toggle(param, String(bucket.value)),
        }, el("span", { class: "value", text: label(param, String(bucket.value)) }),
        el("span", { class: "count", text: String(bucket.count) })));
      list.append(item);
    });
    const section = el("section", { class: "facet", "data-facet-field": field }, el("h2", { text: title }), list);
    if (buckets.length > FACET_SHOWN) {
      section.append(el("button", { type: "button", class: "link more", onclick: (event) => {
        list.classList.toggle("expanded");
        event.target.textContent = list.classList.contains("expanded") ? "fewer" : "more";
      } }, "more"));
    }
    lists.append(section);
  }
}

function formatDate(iso) {
  if (!iso) return "undated";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

function drawHits(result) {
  const list = $("hits");
  list.replaceChildren();
  for (const hit of result.hits) {
    const title = el("a", { class: "title", href: `/articles/${encodeURIComponent(hit.id)}` });
    if (hit.title_highlight) title.innerHTML = hit.title_highlight; // escaped by Elasticsearch; only <mark> is markup
    else title.textContent = hit.title || "(untitled)";
    const meta = el("p", { class: "meta" },
      el("span", { class: "source", text: hit.source || "unknown source" }), " · ",
      el("time", { datetime: hit.published_at || "", text: formatDate(hit.published_at) }));
    if (hit.url && /^https?:\/\//.test(hit.url)) {
      meta.append(" · ", el("a", { href: hit.url, rel: "noopener noreferrer", text: "original" }));
    }
    meta.append(" · ", el("a", { href: `/api/articles/${encodeURIComponent(hit.id)}`, text: "JSON" }));
    const snippet = el("p", { class: "snippet" });
    snippet.innerHTML = hit.snippet; // escaped by Elasticsearch (encoder html); only <mark> is markup
    const tags = el("p", { class: "tags" });
    for (const [param, field] of [["country", "countries"], ["person", "people"], ["topic", "topics"]]) {
      for (const value of (hit[field] || []).slice(0, 6)) {
        tags.append(el("button", { type: "button", class: "chip small", onclick: () => toggle(param, value) },
          label(param, value)));
      }
    }
    list.append(el("li", { class: "hit", "data-id": hit.id, "data-story": hit.story_id || "" },
      title, meta, snippet, tags.childElementCount ? tags : null, drawVersions(hit)));
  }
}

// A collapsed hit stands for its story: "N more versions" with their sources, unfolding into
// links to each version.
function drawVersions(hit) {
  if (!hit.more_versions) return null;
  const sources = [...new Set((hit.versions || []).map((v) => v.source || "unknown source"))];
  const list = el("ul", { class: "version-list", hidden: "" });
  for (const version of hit.versions || []) {
    list.append(el("li", { "data-id": version.id },
      el("a", { href: `/articles/${encodeURIComponent(version.id)}`, text: version.title || "(untitled)" }),
      el("span", { class: "muted", text: ` · ${version.source || "unknown source"} · ${formatDate(version.published_at)}` })));
  }
  if (hit.more_versions > (hit.versions || []).length) {
    list.append(el("li", {}, el("a", { href: `/api/stories/${encodeURIComponent(hit.story_id)}`,
      text: `all ${hit.more_versions + 1} versions (JSON)` })));
  }
  const toggle = el("button", { type: "button", class: "link more-versions", "aria-expanded": "false",
    onclick: () => {
      list.hidden = !list.hidden;
      toggle.setAttribute("aria-expanded", String(!list.hidden));
    } }, `${hit.more_versions} more version${hit.more_versions === 1 ? "" : "s"}`);
  return el("div", { class: "versions" }, toggle,
    el("span", { class: "muted version-sources", text: sources.length ? ` from ${sources.join(", ")}` : "" }), list);
}

function countShown(result) {
  return result.collapse ? result.stories : result.total;
}

function drawSummary(result, params) {
  const q = params.get("q");
  const first = (result.page - 1) * PAGE_SIZE + 1;
  const range = result.hits.length ? `${first}–${first + result.hits.length - 1} of ` : "";
  const articles = `${result.total} article${result.total === 1 ? "" : "s"}`;
  const counted = result.collapse && result.stories !== result.total
    ? `${result.stories} stor${result.stories === 1 ? "y" : "ies"} (${articles})` : articles;
  $("summary").textContent = `${range}${counted}` + (q ? ` for “${q}”` : "");
}

function drawPager(result, params) {
  const pager = $("pager");
  pager.replaceChildren();
  const pages = Math.min(Math.ceil(countShown(result) / PAGE_SIZE), Math.floor(10000 / PAGE_SIZE));
  if (pages <= 1) return;
  const page = result.page;
  const to = (n) => () => { const p = readState(); p.set("page", String(n)); go(p, { resetPage: false }); window.scrollTo(0, 0); };
  const previous = el("button", { type: "button", onclick: to(page - 1), "data-testid": "previous" }, "‹ previous");
  previous.disabled = page <= 1;
  pager.append(previous);
  pager.append(el("span", { class: "muted", text: `page ${page} of ${pages}` }));
  const next = el("button", { type: "button", onclick: to(page + 1), "data-testid": "next" }, "next ›");
  next.disabled = page >= pages;
  pager.append(next);
}

// Day counts -> bins small enough to read: days for up to two months, months for up to
// four years, years beyond.
function binCounts(perDay) {
  const days = perDay.map((b) => ({ date: new Date(`${b.value}T00:00:00Z`), count: b.count }));
  const first = days[0].date, last = days[days.length - 1].date;
  const spanDays = (last - first) / 86400000;
  const unit = spanDays <= 62 ? "day" : spanDays <= 4 * 366 ? "month" : "year";
  const start = (d) => unit === "day" ? new Date(d) :
    unit === "month" ? new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)) : new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const step = (d) => unit === "day" ? new Date(d.getTime() + 86400000) :
    unit === "month" ? new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)) : new Date(Date.UTC(d.getUTCFullYear() + 1, 0, 1));
  const bins = [];
  for (let d = start(first); d <= last; d = step(d)) bins.push({ start: d, end: new Date(step(d) - 86400000), count: 0 });
  let i = 0;
  for (const day of days) {
    while (day.date > bins[i].end) i += 1;
    bins[i].count += day.count;
  }
  return { unit, bins };
}

const iso = (d) => d.toISOString().slice(0, 10);

function binLabel(bin, unit) {
  if (unit === "year") return String(bin.start.getUTCFullYear());
  if (unit === "month") return bin.start.toLocaleDateString("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
  return bin.start.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

function drawChart(result) {
  const box = $("chart");
  box.replaceChildren();
  $("undated").textContent = result.undated ? `${result.undated} undated article${result.undated === 1 ? "" : "s"} not shown` : "";
  const perDay = result.facets.per_day || [];
  if (!perDay.length) {
    box.append(el("p", { class: "muted", text: "No dated articles." }));
    return;
  }
  const { unit, bins } = binCounts(perDay);
  const width = 720, height = 150, left = 32, bottom = 22, top = 8;
  const max = Math.max(...bins.map((b) => b.count));
  const slot = (width - left) / bins.length;
  const barWidth = Math.max(Math.min(slot * 0.8, 40), 1);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "data-unit": unit,
    "aria-label": `articles per ${unit}` });
  const y = (count) => top + (height - top - bottom) * (1 - count / max);
  for (const tick of [0, Math.ceil(max / 2), max]) {
    chart.append(svg("line", { x1: left, x2: width, y1: y(tick), y2: y(tick), class: "grid" }));
    const text = svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", class: "axis" });
    text.textContent = String(tick);
    chart.append(text);
  }
  const every = Math.ceil(bins.length / 8);
  bins.forEach((bin, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    if (bin.count) {
      const bar = svg("rect", { x, y: y(bin.count), width: barWidth, height: height - bottom - y(bin.count),
        class: "bar", "data-from": iso(bin.start), "data-count": bin.count, tabindex: "0" });
      const tip = svg("title");
      tip.textContent = `${binLabel(bin, unit)}: ${bin.count} article${bin.count === 1 ? "" : "s"} — click to narrow`;
      bar.append(tip);
      bar.addEventListener("click", () => {
        const p = readState(); p.set("from", iso(bin.start)); p.set("to", iso(bin.end)); go(p);
      });
      chart.append(bar);
    }
    if (i % every === 0) {
      const text = svg("text", { x: left + i * slot + slot / 2, y: height - 6, "text-anchor": "middle", class: "axis" });
      text.textContent = binLabel(bin, unit);
      chart.append(text);
    }
  });
  box.append(chart);
}

// --------------------------------------------------------------------------- search ---

let latest = 0;

async function run() {
  const params = readState();
  $("q").value = params.get("q") || "";
  $("sort").value = params.get("sort") || "relevance";
  $("from").value = params.get("from") || "";
  $("to").value = params.get("to") || "";
  $("every-version").checked = params.get("collapse") === "false";
  drawActiveFilters(params);
  const request = new URLSearchParams(params);
  request.set("size", String(PAGE_SIZE));
  const ticket = ++latest;
  document.body.classList.add("loading");
  try {
    const response = await fetch(`/api/search?${request}`, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (ticket !== latest) return; // a newer search is on its way
    if (!response.ok) throw new Error(explain(body, response.status));
    $("error").hidden = true;
    drawSummary(body, params);
    drawFacets(body, params);
    drawHits(body);
    drawPager(body, params);
    drawChart(body);
  } catch (error) {
    if (ticket !== latest) return;
    $("error").textContent = error.message;
    $("error").hidden = false;
    $("summary").textContent = "";
    $("hits").replaceChildren();
  } finally {
    if (ticket === latest) {
      document.body.classList.remove("loading");
      document.body.dataset.state = "ready";
    }
  }
}

function explain(body, status) {
  if (Array.isArray(body.detail)) return body.detail.map((p) => `${p.parameter}: ${p.message}`).join("; ");
  return body.detail || `the search failed (${status})`;
}

// --------------------------------------------------------------------------- alerts ---
// The current search saved under a name (POST /api/alerts): from then on each newly indexed
// article it finds is a match. The side panel lists the alerts and their latest matches.

const ALERT_KEYS = ["q", ...FILTERS.map(([param]) => param), "from", "to"];
const SINGLE_VALUED = new Set(["q", "from", "to"]);
const MATCHES_REFRESH_MS = 5000;

function currentSearch() {
  const params = readState();
  const search = {};
  for (const key of ALERT_KEYS) {
    const values = params.getAll(key).filter((v) => v !== "");
    if (values.length) search[key] = SINGLE_VALUED.has(key) ? values[0] : values;
  }
  return search;
}

function describeSearch(params) {
  const parts = Object.entries(params).map(([key, value]) =>
    key === "q" ? `“${value}”` : `${key}: ${[].concat(value).map((v) => label(key, v)).join(", ")}`);
  return parts.join(" · ") || "every article";
}

function searchUrl(params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of [].concat(value)) query.append(key, v);
  return `/?${query}`;
}

async function saveAlert(event) {
  event.preventDefault();
  const body = { ...currentSearch(), name: $("alert-name").value.trim() };
  const webhook = $("alert-webhook").value.trim();
  if (webhook) body.webhook = webhook;
  const message = $("alert-message");
  message.textContent = "saving…";
  const response = await fetch("/api/alerts", {
    method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    message.textContent = explain(answer, response.status);
    return;
  }
  message.textContent = `Saved “${answer.name}”: new matching articles will appear under Alerts.`;
  await loadAlerts(answer.name);
}

async function removeAlert(name) {
  await fetch(`/api/alerts/${encodeURIComponent(name)}`, { method: "DELETE" });
  await loadAlerts();
}

async function showMatches(name, box) {
  let response, body;
  try {
    response = await fetch(`/api/alerts/${encodeURIComponent(name)}/matches?size=10`, { headers: { Accept: "application/json" } });
    body = await response.json();
  } catch (_) {
    return; // the server is away for a moment; the next refresh tries again
  }
  box.replaceChildren();
  if (!response.ok) {
    box.append(el("li", { class: "error", text: explain(body, response.status) }));
  } else if (!body.matches.length) {
    box.append(el("li", { class: "muted", text: "No match yet: newly indexed articles that fit appear here." }));
  } else {
    for (const match of body.matches) {
      const delivery = match.delivery && match.delivery !== "none" ? ` · webhook ${match.delivery}` : "";
      box.append(el("li", { class: "match", "data-id": match.article_id },
        el("a", { href: `/articles/${encodeURIComponent(match.article_id)}`, text: match.title || "(untitled)" }),
        el("span", { class: "muted", text: ` · ${match.source || "unknown source"} · ${formatDate(match.matched_at)}${delivery}` })));
    }
  }
  box.dataset.state = "loaded";
}

function toggleMatches(name, box, button) {
  box.hidden = !box.hidden;
  button.setAttribute("aria-expanded", String(!box.hidden));
  if (!box.hidden) showMatches(name, box);
}

async function loadAlerts(open) {
  const list = $("alert-list");
  let alerts = [];
  try {
    const response = await fetch("/api/alerts", { headers: { Accept: "application/json" } });
    if (response.ok) alerts = (await response.json()).alerts;
  } catch (_) { /* the search still works without the alerts panel */ }
  list.replaceChildren();
  if (!alerts.length) list.append(el("li", { class: "muted", text: "None yet: search, then “Save as alert”." }));
  for (const alert of alerts) {
    const box = el("ul", { class: "matches", hidden: "" });
    const button = el("button", { type: "button", class: "link show-matches", "aria-expanded": "false" }, "latest matches");
    button.addEventListener("click", () => toggleMatches(alert.name, box, button));
    list.append(el("li", { "data-alert": alert.name },
      el("a", { class: "alert-name", href: searchUrl(alert.params), title: "run this search" }, alert.name),
      el("div", { class: "muted", text: describeSearch(alert.params) + (alert.webhook ? " → webhook" : "") }),
      button,
      el("button", { type: "button", class: "link remove", onclick: () => removeAlert(alert.name) }, "remove"),
      box));
    if (alert.name === open) toggleMatches(alert.name, box, button);
  }
}

function refreshOpenMatches() {
  for (const item of document.querySelectorAll("#alert-list > li[data-alert]")) {
    const box = item.querySelector("ul.matches");
    if (box && !box.hidden) showMatches(item.dataset.alert, box);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("save-alert").addEventListener("click", () => {
    const form = $("alert-form");
    form.hidden = !form.hidden;
    $("save-alert").setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) $("alert-name").focus();
  });
  $("alert-form").addEventListener("submit", saveAlert);
  loadAlerts();
  setInterval(refreshOpenMatches, MATCHES_REFRESH_MS);
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const p = readState();
    p.set("q", $("q").value.trim());
    go(p);
  });
  $("sort").addEventListener("change", () => { const p = readState(); p.set("sort", $("sort").value); go(p); });
  $("every-version").addEventListener("change", () => {
    const p = readState();
    if ($("every-version").checked) p.set("collapse", "false"); else p.delete("collapse");
    go(p);
  });
  for (const bound of ["from", "to"]) {
    $(bound).addEventListener("change", () => { const p = readState(); p.set(bound, $(bound).value); go(p); });
  }
  window.addEventListener("popstate", run);
  run();
});
