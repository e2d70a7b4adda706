// The Discord bot a user would write instead of ChatBot: a discord.js 14 client answering `/drill list` from a
// table in this file with one ephemeral reply (interaction callback type 4), the same content ChatBot sends.
// Environment: DISCORD_TOKEN, DISCORD_API (the bench's fake REST base without /v10; GET /gateway/bot there
// returns the fake's gateway URL).
'use strict';
const { Client, Events, GatewayIntentBits, MessageFlags } = require('discord.js');

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

const code = (s) => '`' + s + '`';
const list = [
  '**Drills**',
  ...drills.map((d) => `${code(d.id)} (also ${d.aliases.map(code).join(', ')}): **${d.title}**. ${d.summary}`),
  `Start one with ${code('/drill <drill>')}, e.g. ${code('/drill rotation')}.`,
].join('\n');

const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.DISCORD_API } });

client.on(Events.InteractionCreate, async (interaction) => {
  if (!interaction.isChatInputCommand() || interaction.commandName !== 'drill') return;
  if (interaction.options.getSubcommand() === 'list') {
    await interaction.reply({ content: list, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content: 'Try `/drill list`.', flags: MessageFlags.Ephemeral });
  }
});

client.login(process.env.DISCORD_TOKEN).catch((e) => {
  console.error(e);
  process.exit(1);
});
