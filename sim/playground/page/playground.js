// The playground page: controls, runs on the server's queue, the charts that answer, and the classroom challenge.
// Every word comes from the server in the reader's language (DATA.words); nothing is loaded from elsewhere.
"use strict";

const DATA = JSON.parse(document.getElementById("data").textContent);
const W = DATA.words;
const LEVERS = DATA.levers;
const SVG = "http://www.w3.org/2000/svg";
const PLAN_PREFIXES = ["team.", "strategy.", "service."];
const state = { current: null, previous: null, baseline: null, baselineKey: null, joined: null, busy: false };

function say(key, values = {}) {
  return (W[key] || key).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}
function percent(share, digits = 1) {
  return share == null ? "–" : `${(share * 100).toFixed(digits)}%`;
}
function number(value, digits = 0) {
  return value == null ? "–" : value.toLocaleString(DATA.language, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
function element(tag, attributes = {}, text = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text != null) node.textContent = text;
  return node;
}
function svgElement(tag, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text != null) node.textContent = text;
  return node;
}
function apiPath(path) {
  return `${path}${path.includes("?") ? "&" : "?"}lang=${encodeURIComponent(DATA.language)}`;
}
async function api(path, body = null) {
  const options = body == null ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(apiPath(path), options);
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

// -- words, languages and tabs -------------------------------------------------------------------

function fillWords() {
  document.getElementById("title").textContent = W.title;
  document.getElementById("subtitle").textContent = W.subtitle;
  document.getElementById("tab-play").textContent = W.play;
  document.getElementById("tab-challenge").textContent = W.challenge;
  for (const node of document.querySelectorAll("[data-word]")) node.textContent = say(node.dataset.word);
  const links = document.getElementById("languages");
  for (const [code, name] of Object.entries(DATA.languages)) {
    const link = element("a", { href: `/?lang=${code}`, lang: code, hreflang: code }, name);
    if (code === DATA.language) link.setAttribute("aria-current", "true");
    links.append(link);
  }
}

function showTab(name) {
  for (const tab of document.querySelectorAll("#tabs button")) {
    tab.setAttribute("aria-selected", String(tab.dataset.panel === name));
  }
  document.getElementById("panel-play").hidden = name !== "play";
  document.getElementById("panel-challenge").hidden = name !== "challenge";
}

// -- controls ------------------------------------------------------------------------------------

function limitInput(id, limit, value) {
  const input = document.getElementById(id);
  input.min = limit.min;
  input.max = limit.max;
  input.value = value;
  return input;
}

function option(type, group, value, title, explanation, ids, checked) {
  const label = element("label", { class: "option" });
  const input = element("input", { type, name: group, value });
  input.checked = checked;
  const head = element("span", {}, title);
  if (ids) head.append(" ", element("span", { class: "id" }, `[${ids}]`));
  label.append(input, head, element("span", { class: "explain" }, explanation));
  return label;
}

function buildControls() {
  const limits = LEVERS.limits;
  const defaults = LEVERS.defaults;
  limitInput("households", limits.households, defaults.households);
  limitInput("days", limits.horizon_days, defaults.horizon_days);
  limitInput("collectors", limits.collectors, defaults.collectors);
  limitInput("reps", limits.reps, defaults.reps);
  limitInput("create-households", limits.households, defaults.households);
  limitInput("create-days", limits.horizon_days, defaults.horizon_days);
  for (const [group, choices] of Object.entries(LEVERS.choices)) {
    const fieldset = document.getElementById(group);
    choices.forEach((choice, k) => {
      fieldset.append(option("radio", group, choice.name, choice.title, choice.explanation, null, k === 0));
    });
  }
  const switches = document.getElementById("switches");
  for (const tactic of LEVERS.switches) {
    switches.append(option("checkbox", "tactic", tactic.tactic, tactic.title, tactic.explanation, tactic.ids.join(", "), false));
  }
  const select = document.getElementById("create-community");
  for (const community of LEVERS.communities) select.append(element("option", { value: community.name }, community.title));
}

function chosen(group) {
  const value = document.querySelector(`input[name="${group}"]:checked`).value;
  return LEVERS.choices[group].find((choice) => choice.name === value);
}

// The overrides of the controls, in the order the page applies them, and the levers that set the shift.
function plan() {
  const overrides = {
    "community.households": Number(document.getElementById("households").value),
    horizon_days: Number(document.getElementById("days").value),
    "team.collectors": Number(document.getElementById("collectors").value),
  };
  const shifts = [];
  const levers = [chosen("billing"), chosen("calls")];
  for (const input of document.querySelectorAll('input[name="tactic"]:checked')) {
    levers.push(LEVERS.switches.find((tactic) => tactic.tactic === input.value));
  }
  for (const lever of levers) {
    for (const [key, value] of Object.entries(lever.overrides)) {
      if (key === "team.shift") {
        const last = shifts[shifts.length - 1];
        if (!last || JSON.stringify(last.value) !== JSON.stringify(value)) shifts.push({ title: lever.title, value });
      }
      overrides[key] = value;
    }
  }
  return { overrides, shifts };
}

function baselineOverrides(overrides) {
  const keys = ["community.households", "horizon_days", "team.collectors"];
  return Object.fromEntries(keys.map((key) => [key, overrides[key]]));
}

function showShiftNote(shifts) {
  const note = document.getElementById("shift-note");
  note.hidden = shifts.length < 2;
  if (shifts.length >= 2) {
    note.textContent = say("shift_note", { first: shifts[shifts.length - 2].title, second: shifts[shifts.length - 1].title });
  }
}

function commandLine(overrides, reps, seed) {
  const quote = (text) => (/^[\w.:=+-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);
  const sets = Object.entries(overrides).map(([key, value]) => ` \\\n  --set ${quote(`${key}=${JSON.stringify(value)}`)}`);
  return `feesim run scenarios/baseline.yaml --reps ${reps} --seed ${seed}${sets.join("")}`;
}

// -- running ---------------------------------------------------------------------------------------

function setStatus(text, isError = false, id = "status") {
  const status = document.getElementById(id);
  status.textContent = text;
  status.className = isError ? "note error" : "note";
  status.hidden = false;
}

// The team's plan has a line of its own: runs come and go while it waits in the queue.
function setPlanStatus(text, isError = false) {
  setStatus(text, isError, "plan-status");
}

async function runOnQueue(body) {
  const ticket = `page-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  let finished = false;
  const poll = async () => {
    while (!finished) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (finished) break;
      try {
        const where = await api(`/api/queue/${ticket}`);
        if (finished) break;
        setStatus(where.ahead > 0 ? say("ahead", { ahead: where.ahead }) : say("progress", { done: where.done, total: where.replications }));
      } catch (error) {
        /* the ticket is not known yet */
      }
    }
  };
  poll();
  try {
    return await api("/api/run", { ...body, ticket });
  } finally {
    finished = true;
  }
}

async function run() {
  if (state.busy) return;
  const { overrides, shifts } = plan();
  const reps = Number(document.getElementById("reps").value);
  const seed = Number(document.getElementById("seed").value);
  showShiftNote(shifts);
  state.busy = true;
  document.getElementById("run-button").disabled = true;
  setStatus(W.running);
  try {
    const base = baselineOverrides(overrides);
    const baseKey = JSON.stringify([base, reps, seed]);
    if (state.baselineKey !== baseKey) {
      state.baseline = await runOnQueue({ scenario: "baseline", overrides: base, reps, seed });
      state.baselineKey = baseKey;
    }
    const answer = await runOnQueue({ scenario: "baseline", overrides, reps, seed });
    state.previous = state.current;
    state.current = answer;
    document.getElementById("command").textContent = commandLine(overrides, reps, seed);
    draw();
    setStatus("");
  } catch (error) {
    setStatus(`${W.error}: ${error.message}`, true);
  } finally {
    state.busy = false;
    document.getElementById("run-button").disabled = false;
    document.body.dataset.runs = String(Number(document.body.dataset.runs || 0) + 1);
  }
}

// -- charts ----------------------------------------------------------------------------------------

const CURVE_FRAME = { width: 640, height: 300, left: 46, right: 12, top: 10, bottom: 34 };
const SMALL_FRAME = { width: 360, height: 220, left: 42, right: 10, top: 10, bottom: 32 };

function frame(days, FRAME = CURVE_FRAME) {
  const svg = svgElement("svg", { viewBox: `0 0 ${FRAME.width} ${FRAME.height}`, role: "img" });
  const x = (day) => FRAME.left + (day / days) * (FRAME.width - FRAME.left - FRAME.right);
  const y = (share) => FRAME.top + (1 - share) * (FRAME.height - FRAME.top - FRAME.bottom);
  for (let share = 0; share <= 1.0001; share += 0.2) {
    svg.append(svgElement("line", { class: share === 0 ? "axis" : "grid", x1: x(0), x2: x(days), y1: y(share), y2: y(share) }));
    svg.append(svgElement("text", { x: FRAME.left - 6, y: y(share) + 4, "text-anchor": "end" }, `${Math.round(share * 100)}%`));
  }
  const step = days > 200 ? 60 : 30;
  for (let day = 0; day <= days; day += step) {
    svg.append(svgElement("text", { x: x(day), y: FRAME.height - FRAME.bottom + 16, "text-anchor": "middle" }, String(day)));
  }
  svg.append(svgElement("text", { x: x(days), y: FRAME.height - 4, "text-anchor": "end" }, W.day));
  return { svg, x, y };
}

function path(xs, ys, x, y) {
  return xs.map((day, k) => `${k ? "L" : "M"}${x(day).toFixed(1)},${y(ys[k]).toFixed(1)}`).join("");
}

function legend(entries) {
  const box = element("div", { class: "legend" });
  for (const [text, color, dashed] of entries) {
    const mark = element("i");
    mark.style.borderTopColor = color;
    if (dashed) mark.style.borderTopStyle = "dashed";
    const item = element("span");
    item.append(mark, text);
    box.append(item);
  }
  return box;
}

function drawCurve() {
  const current = state.current;
  const days = current.days.length - 1;
  const { svg, x, y } = frame(days);
  const band = current.paid_share;
  const upper = path(current.days, band.p95, x, y);
  const lower = current.days.slice().reverse().map((day, k) => `L${x(day).toFixed(1)},${y(band.p05[days - k]).toFixed(1)}`).join("");
  svg.append(svgElement("path", { class: "band", d: `${upper}${lower}Z` }));
  svg.append(svgElement("line", { class: "target", x1: x(0), x2: x(days), y1: y(0.8), y2: y(0.8) }));
  for (const [name, answer] of [["baseline", state.baseline], ["previous", state.previous]]) {
    if (answer && answer.days.length === current.days.length) {
      svg.append(svgElement("path", { class: name, d: path(answer.days, answer.paid_share.mean, x, y) }));
    }
  }
  svg.append(svgElement("path", { class: "run", d: path(current.days, band.mean, x, y), "data-final": band.mean[days] }));
  const chart = document.getElementById("curve");
  chart.replaceChildren(svg, legend([
    [W.this_run, "var(--run)"], [W.band, "rgba(11,107,203,0.3)"], [W.previous_run, "var(--previous)", true], [W.baseline, "var(--baseline)", true],
  ]));
}

function figure(label, value, detail) {
  const box = element("div", { class: "figure" });
  box.append(element("div", { class: "label" }, label), element("div", { class: "value" }, value), element("div", { class: "detail" }, detail || ""));
  return box;
}

function interval(figureValue, format) {
  if (figureValue.ci_low == null || figureValue.ci_low === figureValue.ci_high) return "";
  return say("ci", { low: format(figureValue.ci_low), high: format(figureValue.ci_high) });
}

function drawFigures() {
  const current = state.current;
  const paid = current.final_paid_share;
  const to80 = current.days_to["80"];
  const hours = current.staff_hours;
  const oneDecimal = (value) => number(value, 1);
  const whole = (value) => number(value);
  document.getElementById("figures").replaceChildren(
    figure(W.paid_by_end, percent(paid.mean), interval(paid, percent)),
    figure(W.days_to_80, to80.mean == null ? W.not_reached : oneDecimal(to80.mean), say("reached_in", { reached: to80.reached, reps: current.reps })),
    figure(W.staff_hours, say("hours_unit", { hours: whole(hours.mean) }), interval(hours, whole)),
    figure(W.calls_made, whole(current.calls.mean), interval(current.calls, whole)),
  );
}

function drawSegments() {
  const current = state.current;
  const days = current.days.length - 1;
  const { svg, x, y } = frame(days, SMALL_FRAME);
  for (const segment of ["ordinary", "undecided", "hard"]) {
    svg.append(svgElement("path", { class: segment, d: path(current.days, current.explain.segments[segment], x, y) }));
  }
  document.getElementById("segments").replaceChildren(svg, legend([
    [W.ordinary, "#1e7b34"], [W.undecided, "#d9822b"], [W.hard, "#b3261e"],
  ]));
}

function drawFunnel() {
  const funnel = state.current.explain.funnel;
  const stages = ["attempts", "reached", "promised", "kept", "paid"];
  const table = element("table");
  const head = element("tr");
  head.append(element("th"));
  for (const stage of stages) head.append(element("th", {}, W[stage]));
  table.append(head);
  for (const [kind, counts] of Object.entries(funnel)) {
    if (!counts.attempts) continue;
    const values = { ...counts, paid: counts.paid_now + counts.paid_after_promise };
    const row = element("tr");
    row.append(element("td", {}, W[kind] || kind));
    for (const stage of stages) {
      const cell = element("td", {}, number(values[stage]));
      const bar = element("span", { class: "bar" });
      bar.style.width = `${Math.max(2, (100 * values[stage]) / Math.max(values.attempts, 1))}%`;
      cell.append(bar);
      row.append(cell);
    }
    table.append(row);
  }
  document.getElementById("funnel").replaceChildren(table);
}

function draw() {
  drawCurve();
  drawFigures();
  drawSegments();
  drawFunnel();
}

// -- the classroom challenge ------------------------------------------------------------------------

async function join(event) {
  event.preventDefault();
  const code = document.getElementById("join-code").value.trim().toUpperCase();
  const team = document.getElementById("team-name").value.trim();
  const note = document.getElementById("joined");
  try {
    const challenge = await api(`/api/challenges/${encodeURIComponent(code)}`);
    state.joined = { code: challenge.code, team, challenge };
    note.className = "note";
    note.textContent = say("joined", { team, code: challenge.code, title: challenge.title, budget: number(challenge.budget) });
    for (const [id, value] of [["households", challenge.households], ["days", challenge.horizon_days], ["reps", challenge.reps], ["seed", challenge.seed]]) {
      const input = document.getElementById(id);
      input.value = value;
      input.disabled = true;
    }
    document.getElementById("fixed-note").hidden = false;
    document.getElementById("submit-plan").hidden = false;
    showTab("play");
    run(); // the charts now show the challenge's households, days and seed (on the baseline community)
  } catch (error) {
    note.className = "note error";
    note.textContent = `${W.error}: ${error.message}`;
  }
}

async function followPlan(ticket) {
  // Where the team's plan stands in the queue, until it is evaluated.
  for (;;) {
    let where = null;
    try {
      where = await api(`/api/queue/${ticket}`);
    } catch {
      break; // forgotten by a restarted server: the leaderboard still evaluates it
    }
    if (where.finished) break;
    setPlanStatus(where.ahead > 0 ? say("plan_waiting", { ahead: where.ahead }) : say("plan_running", { done: where.done, total: where.replications }));
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  setPlanStatus(W.submitted);
}

async function submitPlan() {
  const { overrides } = plan();
  const planOverrides = Object.fromEntries(Object.entries(overrides).filter(([key]) => PLAN_PREFIXES.some((prefix) => key.startsWith(prefix))));
  const button = document.getElementById("submit-plan");
  button.disabled = true;
  try {
    const submitted = await api(`/api/challenges/${state.joined.code}/plans`, { team: state.joined.team, overrides: planOverrides });
    await followPlan(submitted.ticket);
  } catch (error) {
    setPlanStatus(`${W.error}: ${error.message}`, true);
    button.disabled = false;
  }
}

const TRAINER_CODE = "feesim-playground-trainer-code";

// The trainer's challenge: its code on the page, and kept in the browser, so a reload does not lose it.
function showCreated(code) {
  document.getElementById("created-code").textContent = code;
  document.getElementById("created").hidden = false;
  try {
    localStorage.setItem(TRAINER_CODE, code);
  } catch {
    /* storage refused (private window): the code stays on the page only */
  }
}

async function restoreCreated() {
  let code = null;
  try {
    code = localStorage.getItem(TRAINER_CODE);
  } catch {
    return;
  }
  if (!code) return;
  try {
    await api(`/api/challenges/${encodeURIComponent(code)}`);
    showCreated(code);
  } catch {
    localStorage.removeItem(TRAINER_CODE); // a server started on another folder does not know it
  }
}

async function create(event) {
  event.preventDefault();
  const value = (id) => Number(document.getElementById(id).value);
  const body = {
    scenario: document.getElementById("create-community").value,
    budget: value("create-budget"),
    households: value("create-households"),
    horizon_days: value("create-days"),
    reps: value("create-reps"),
    seed: value("create-seed"),
  };
  try {
    const challenge = await api("/api/challenges", body);
    showCreated(challenge.code);
  } catch (error) {
    const board = document.getElementById("leaderboard");
    board.hidden = false;
    board.replaceChildren(element("p", { class: "error" }, `${W.error}: ${error.message}`));
  }
}

// What a plan chose, in short: the ids of its tactics, its billing and calling windows if not the first, its team.
function planSummary(overrides) {
  const same = (lever) => Object.entries(lever.overrides).every(([key, value]) => JSON.stringify(overrides[key]) === JSON.stringify(value));
  const parts = [];
  const ids = LEVERS.switches.filter((tactic) => Object.keys(tactic.overrides).length && same(tactic)).flatMap((tactic) => tactic.ids);
  if (ids.length) parts.push([...new Set(ids)].join(", "));
  for (const choices of Object.values(LEVERS.choices)) {
    const picked = choices.slice(1).find((choice) => Object.keys(choice.overrides).length && same(choice));
    if (picked) parts.push(picked.title);
  }
  if (overrides["team.collectors"] != null) parts.push(say("team_of", { n: overrides["team.collectors"] }));
  return parts.join(" · ");
}

function ranked(row) {
  const paid = row.final_paid_share;
  const difference = row.difference_to_winner;
  const points = (share) => `${share >= 0 ? "+" : ""}${(share * 100).toFixed(1)}`;
  const cells = [
    String(row.rank),
    row.team,
    planSummary(row.overrides),
    `${percent(paid.mean)} [${percent(paid.ci_low)}, ${percent(paid.ci_high)}]`,
    difference == null ? W.winner : say("points", { value: `${points(difference.mean)} [${points(difference.ci_low)}, ${points(difference.ci_high)}]` }),
    number(row.staff_hours.mean),
    row.days_to_80.mean == null ? W.not_reached : number(row.days_to_80.mean, 1),
  ];
  const tr = element("tr", row.over_budget ? { class: "breach" } : {});
  const classes = { 1: "team", 2: "plan" };
  cells.forEach((text, k) => tr.append(element("td", k in classes ? { class: classes[k] } : {}, text)));
  const flag = element("span", { class: "flag" }, row.over_budget ? W.over_budget : W.within_budget);
  const last = element("td");
  last.append(flag);
  tr.append(last);
  return tr;
}

async function reveal() {
  const code = document.getElementById("created-code").textContent;
  const board = document.getElementById("leaderboard");
  board.hidden = false;
  const button = document.getElementById("reveal-button");
  button.disabled = true;
  try {
    let answer = await api(`/api/challenges/${code}/leaderboard?wait=0`);
    while (answer.evaluating > 0) {
      board.replaceChildren(element("p", { class: "note" }, say("evaluating", { n: answer.evaluating })));
      await new Promise((resolve) => setTimeout(resolve, 500));
      answer = await api(`/api/challenges/${code}/leaderboard?wait=0`);
    }
    const title = element("h2", {}, `${answer.title} · ${say("budget")} ${number(answer.budget)}`);
    if (!answer.rows.length) {
      board.replaceChildren(title, element("p", { class: "note" }, answer.failed.length ? say("failed", { teams: answer.failed.join(", ") }) : W.no_plans));
      return;
    }
    const table = element("table", { id: "leaderboard-table" });
    const head = element("tr");
    for (const word of ["rank", "team", "plan", "paid_by_end", "difference", "staff_hours", "days_to_80", "budget"]) head.append(element("th", {}, W[word]));
    table.append(head);
    for (const row of answer.rows) table.append(ranked(row));
    board.replaceChildren(title, table, element("p", { class: "note" }, say("crn_note", { reps: answer.reps })));
    if (answer.failed.length) board.append(element("p", { class: "error" }, say("failed", { teams: answer.failed.join(", ") })));
  } catch (error) {
    board.replaceChildren(element("p", { class: "error" }, `${W.error}: ${error.message}`));
  } finally {
    button.disabled = false;
  }
}

// -- start -------------------------------------------------------------------------------------------

fillWords();
buildControls();
for (const tab of document.querySelectorAll("#tabs button")) tab.addEventListener("click", () => showTab(tab.dataset.panel));
document.getElementById("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
document.getElementById("submit-plan").addEventListener("click", submitPlan);
document.getElementById("join").addEventListener("submit", join);
document.getElementById("create").addEventListener("submit", create);
document.getElementById("reveal-button").addEventListener("click", reveal);
restoreCreated();
run();
