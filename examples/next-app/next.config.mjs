/** @type {import('next').NextConfig} */
export default {
  // no AGENTS.md written into the app, and no upgrade checks on `next dev`
  agentRules: false,
  experimental: { agentUpgrade: false },
};
