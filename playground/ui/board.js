// The playground's live board: Plotly charts that the browser keeps and redraws in place.
//
// Every name this file reads (class and attribute names, payload keys, the trigger) is declared
// once in board.py (CONTRACT) and arrives here as the component's data, `K` below.
// The page sends each update inside its progress panel (an st.html block), as a hidden
// element of class K.carrier.data_class: its seq attribute orders the updates (a counter of the
// server process, whose source attribute changes when a new server starts counting again), its
// payload attribute holds the charts as JSON in base64 (which no HTML sanitizer rewrites, whatever
// the chart strings are). An update that cannot be read or drawn is reported on the chart and
// never stops the polling. A hidden element of class K.carrier.state_class says whether the
// script run is training: Streamlit's own header Stop stops the script but not the run, so a
// click on it asks for a rerun through the K.headerStop trigger, in which the page stops the run
// and redraws. This module is the default export of a keyed st.components.v2 component
// that the page mounts once per script run. It keeps one board (and one Plotly div per chart)
// for the whole browser tab, so a rerun never rebuilds a chart. Every animation frame it looks
// for a newer update; it then redraws the charts one per task, taking turns, so that a slow
// browser draws fewer frames rather than falling behind. A chart whose traces did not change (the
// output map: only its picture and title change) is redrawn with Plotly.relayout, about five times
// faster than Plotly.react; a chart that did not change at all is not redrawn. A draw that has not
// finished within PATIENCE_MS stops holding up the other charts (it keeps its own chart until done).
// Mounted with a figure as its data instead (board.figure), the component draws that one chart where
// it stands, with the same Plotly: a card's chart then needs none of Streamlit's own Plotly.

function plotly(src) {
  if (!window.__snPlotly) {
    window.__snPlotly = window.Plotly ? Promise.resolve(window.Plotly) : new Promise((ok, fail) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = () => ok(window.Plotly);
      s.onerror = () => fail(new Error(`Plotly could not be loaded from ${src}; reload the page`));
      document.head.appendChild(s);
    });
  }
  return window.__snPlotly;
}

function board() {
  if (!window.__snBoard) {
    const b = document.createElement('div');
    b.style.cssText = 'display:flex;gap:1rem;width:100%';
    b.snSeq = -1;
    b.snCharts = new Map();  // name -> Plotly div, in the order first seen
    b.snColumns = [];
    window.__snBoard = b;
  }
  return window.__snBoard;
}

function column(b, k) {
  while (b.snColumns.length <= k) {
    const c = document.createElement('div');
    c.style.cssText = 'flex:1 1 0;min-width:0;display:flex;flex-direction:column;gap:.5rem';
    b.appendChild(c);
    b.snColumns.push(c);
  }
  return b.snColumns[k];
}

function chart(b, name) {
  let div = b.snCharts.get(name);
  if (!div) {
    div = document.createElement('div');
    div.dataset.testid = b.snK.chartDiv.test_id;
    div.dataset[b.snK.chartDiv.name] = name;
    div.style.contain = 'layout paint style';
    b.snCharts.set(name, div);
  }
  return div;
}

const PATIENCE_MS = 2000;  // a draw that has not finished by then no longer holds up the other charts

async function pump(b) {
  // the next chart with an update waiting (and no draw of its own still going), after the last one drawn
  const all = [...b.snCharts.values()];
  const start = (b.snLast ?? -1) + 1;
  const k = all.map((_, i) => (start + i) % all.length).find((i) => all[i].snNext && !all[i].snBusy);
  if (k === undefined) {
    // nothing to draw, or only charts whose previous draw is still going: look again shortly
    if (all.some((d) => d.snNext)) setTimeout(() => pump(b), 50);
    else b.snPumping = false;
    return;
  }
  const div = all[k];
  const next = div.snNext;
  div.snNext = null;
  b.snLast = k;
  div.snBusy = true;
  const done = draw(b, div, next).finally(() => { div.snBusy = false; });
  await Promise.race([done, new Promise((ok) => setTimeout(ok, PATIENCE_MS))]);
  setTimeout(() => pump(b), 0);
}

async function draw(b, div, next) {
  try {
    const Plotly = await plotly(next.src);
    const figure = next[b.snK.chart.figure];
    const sent = { data: JSON.stringify(figure.data), config: JSON.stringify(next.config), layout: leaves(figure.layout) };
    const same = div.snSent && div.snSent.data === sent.data && div.snSent.config === sent.config;
    const changes = same ? layoutChanges(div.snSent.layout, sent.layout) : null;
    if (!changes) await Plotly.react(div, figure.data, figure.layout, next.config);
    else if (Object.keys(changes).length) await Plotly.relayout(div, changes);  // the same traces: an image, a title
    // (and nothing to draw when nothing changed: the rerun after a click sends the same charts again)
    div.snSent = sent;  // what Plotly was given, before Plotly writes its own values into the figure
    if (div.dataset[b.snK.chartDiv.name] === b.snK.clickChart && !next.config.staticPlot && div.on) {
      // a replot may drop listeners: one fresh listener after every interactive draw
      if (div.removeAllListeners) div.removeAllListeners('plotly_click');
      div.on('plotly_click', (event) => {
        const id = event && event.points && event.points[0] && event.points[0].customdata;
        if (id && b.snTrigger) b.snTrigger(b.snK.neuronClick, String(id));
      });
    }
    div.dataset[b.snK.chartDiv.epoch] = next[b.snK.chart.epoch];
  } catch (err) {
    failed(div, err);  // the next update draws it afresh
  }
}

function failed(div, err) {
  // say so on the chart, and forget what it was given, so that the same figure is drawn again next time
  div.snSent = null;
  if (window.Plotly) window.Plotly.purge(div);
  div.textContent = `This chart could not be drawn: ${err && err.message ? err.message : err}`;
}

function leaves(obj, prefix = '', out = {}) {
  // a layout as dotted paths to its values (arrays whole, as JSON), the form Plotly.relayout takes
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) leaves(v, key, out);
    else out[key] = JSON.stringify(v);
  }
  return out;
}

function layoutChanges(before, after) {
  // the paths whose values changed (none: {}), or null when a path went away, which a relayout cannot drop
  if (Object.keys(before).some((k) => !(k in after))) return null;
  const changes = {};
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) changes[k] = JSON.parse(v);
  return changes;
}

function decode(text) {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);  // (a callback per byte took 7 ms)
  return JSON.parse(new TextDecoder().decode(bytes));
}

function show(b, data) {
  const P = b.snK.payload;
  const named = new Set();
  data[P.columns].forEach((names, k) => names.forEach((name, i) => {
    const div = chart(b, name);
    const c = column(b, k);
    if (c.children[i] !== div) c.insertBefore(div, c.children[i] || null);  // in its place in its column
    named.add(name);
    const one = data[P.charts][name];
    div.style.height = one[b.snK.chart.height] + 'px';
    div.snNext = { ...one, src: data[P.src], config: data[P.config] };  // only the newest is drawn
  }));
  for (const [name, div] of b.snCharts) {
    // a chart this update does not name (another dataset's, such as Boston's predicted vs actual) leaves the
    // board; it comes back, redrawn, with the next update that names it
    if (!named.has(name)) {
      div.snNext = null;
      div.remove();
    }
  }
  if (!b.snPumping) {
    b.snPumping = true;
    setTimeout(() => pump(b), 0);
  }
}

function take(b) {
  try {
    const C = b.snK.carrier;
    const el = document.querySelector(`.${C.data_class}`);
    if (el && el.dataset[C.source] !== b.snSource) {
      b.snSource = el.dataset[C.source];  // another server process: its counter starts again
      b.snSeq = -1;
    }
    const seq = el ? Number(el.dataset[C.seq]) : -1;
    if (seq > b.snSeq) {
      b.snSeq = seq;
      show(b, decode(el.dataset[C.payload] || ''));
    }
  } catch (err) {
    b.dataset.error = String(err && err.message ? err.message : err);  // this update is lost, not the next
  }
  if (b.isConnected) requestAnimationFrame(() => take(b));
  else b.snPolling = false;
}

function headerStop(event) {
  // Streamlit's header (status widget) Stop, clicked while this page trains
  const button = event.target && event.target.closest ? event.target.closest('button') : null;
  if (!button || button.closest('[data-testid="stMain"]')) return;
  if (!button.closest('header, [data-testid="stStatusWidget"]') || button.innerText.trim() !== 'Stop') return;
  const b = window.__snBoard;
  const flag = document.querySelector(`.${b.snK.carrier.state_class}`);
  if (!flag || flag.dataset[b.snK.carrier.training] !== '1') return;
  // after this click's own handlers (which send Streamlit's stop), ask for the rerun that stops the run
  // and shows Train again
  setTimeout(() => b.snTrigger && b.snTrigger(b.snK.headerStop, true), 0);
}

function figure(component) {
  // one chart of the page outside the board (a card's figure), drawn with the board's Plotly: the first one
  // drawn by st.plotly_chart waited about two seconds for Streamlit's own Plotly to load
  const F = component.data;
  const host = component.parentElement;
  let div = host.querySelector(`[data-testid="${F.test_id}"]`);
  if (!div) {
    div = document.createElement('div');
    div.dataset.testid = F.test_id;
    host.appendChild(div);
  }
  div.style.height = F.height + 'px';
  div.dataset[F.name_attribute] = F.name;
  const sent = JSON.stringify([F.figure, F.config]);
  if (div.snSent === sent) return;  // a rerun that changed nothing here
  div.snSent = sent;
  plotly(F.src)
    .then((Plotly) => Plotly.react(div, F.figure.data, F.figure.layout, F.config))
    .catch((err) => failed(div, err));
}

export default function (component) {
  if (component.data && component.data.test_id) return figure(component);
  const b = board();
  b.snK = component.data;
  b.snTrigger = component.setTriggerValue;
  if (b.parentNode !== component.parentElement) component.parentElement.appendChild(b);
  if (!b.snPolling) {
    b.snPolling = true;
    requestAnimationFrame(() => take(b));
  }
  if (!window.__snHeaderStop) {
    window.__snHeaderStop = true;
    document.addEventListener('click', headerStop, true);
  }
}
