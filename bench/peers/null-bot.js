// The floor: the least a bot can do. It connects like the others and answers every command at once with a
// fixed text, doing nothing else, so its latency is the fake's, the loopback's and Node's share of any bot's.
// Usage: node null-bot.js slack|discord (environment as for bolt-app.js / discordjs-bot.js).
'use strict';
const http = require('node:http');
const WebSocket = require('ws');

// Plain keep-alive HTTP for the callbacks: the cheapest client Node has (fetch costs several times more CPU).
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function post(url, headers, body) {
  const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => response.resume());
  request.on('error', (e) => console.error(e));
  request.end(body);
}

async function slack() {
  const opened = await fetch(new URL('apps.connections.open', process.env.SLACK_API_URL), {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env.SLACK_APP_TOKEN}` },
  }).then((r) => r.json());
  const socket = new WebSocket(opened.url);
  socket.on('message', (data) => {
    const envelope = JSON.parse(data);
    if (envelope.envelope_id) {
      socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { response_type: 'ephemeral', text: 'ok' } }));
    }
  });
}

async function discord() {
  const api = `${process.env.DISCORD_API}/v10/`;
  const headers = { authorization: `Bot ${process.env.DISCORD_TOKEN}`, 'content-type': 'application/json' };
  const gateway = await fetch(new URL('gateway/bot', api), { headers }).then((r) => r.json());
  const socket = new WebSocket(`${gateway.url}/?v=10&encoding=json`);
  let sequence = null;
  socket.on('message', (data) => {
    const frame = JSON.parse(data);
    if (frame.s !== null && frame.s !== undefined) sequence = frame.s;
    if (frame.op === 10) {
      setInterval(() => socket.send(JSON.stringify({ op: 1, d: sequence })), frame.d.heartbeat_interval).unref();
      socket.send(JSON.stringify({
        op: 2,
        d: { token: process.env.DISCORD_TOKEN, intents: 1, properties: { os: 'linux', browser: 'null-bot', device: 'null-bot' } },
      }));
    } else if (frame.op === 0 && frame.t === 'INTERACTION_CREATE') {
      const i = frame.d;
      post(new URL(`interactions/${i.id}/${i.token}/callback`, api), headers, JSON.stringify({ type: 4, data: { content: 'ok', flags: 64 } }));
    }
  });
}

(process.argv[2] === 'discord' ? discord() : slack()).catch((e) => {
  console.error(e);
  process.exit(1);
});
