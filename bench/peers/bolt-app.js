// The Slack bot a user would write instead of ChatBot: a Bolt for JavaScript app in Socket Mode answering
// `/drill list` from a table in this file, with the same message ChatBot sends (mrkdwn section + fallback text).
// Environment: SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_API_URL (the bench's fake Web API; Socket Mode's
// apps.connections.open goes there too and returns the fake's WebSocket URL).
'use strict';
const { App, LogLevel } = require('@slack/bolt');

const drills = [
  { id: 'extension', aliases: ['bench', 'ext'], title: 'Bench thoracic extension',
    summary: 'Kneel at a bench or couch and let the chest sink on each long exhale. 1–2 minute hold.' },
  { id: 'rotation', aliases: ['rot', 'twist'], title: 'Quadruped thoracic rotation',
    summary: 'On all fours, one hand behind the head, turn the elbow up to the ceiling. 10–15 reps a side.' },
  { id: 'catcamel', aliases: ['flexion', 'cat-camel', 'cat', 'camel'], title: 'Rock-back cat-camel',
    summary: 'Hips back toward the heels, round the spine then arch it. 10–15 slow reps.' },
  { id: 'warmup', aliases: ['routine', 'all'], title: 'Upper-back warm-up',
    summary: 'All three in a row: cat-camel, rotation each side, then the bench extension hold.' },
];

// Slack mrkdwn: *bold*, `code`, and & < > escaped; the fallback text is the same without the markup.
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const render = (code, bold) => [
  bold('Drills'),
  ...drills.map((d) => `${code(d.id)} (also ${d.aliases.map(code).join(', ')}): ${bold(d.title)}. ${d.summary}`),
  `Start one with ${code('/drill <drill>')}, e.g. ${code('/drill rotation')}.`,
].join('\n');
const listMrkdwn = escape(render((s) => '`' + s + '`', (s) => `*${s}*`));
const listText = escape(render((s) => s, (s) => s));

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  logLevel: LogLevel.WARN,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});

app.command('/drill', async ({ command, ack }) => {
  const verb = command.text.trim().split(/\s+/)[0].toLowerCase();
  if (verb === 'list' || verb === 'drills') {
    await ack({
      response_type: 'ephemeral',
      text: listText,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: listMrkdwn } }],
    });
  } else {
    await ack({ response_type: 'ephemeral', text: 'Try `/drill list`.' });
  }
});

app.start().catch((e) => {
  console.error(e);
  process.exit(1);
});
