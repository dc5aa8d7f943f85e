// Starts an unpacked MCP Bundle's server the way Claude Desktop would: the mcp_config of its manifest.json,
// resolved by @anthropic-ai/mcpb's own getMcpConfigForManifest (variables, defaults, platform overrides)
// with only the required setting given, then initialize and tools/list over stdio. Run by packaging/dist.sh
// when npm could install mcpb:   node check-bundle.mjs <mcpb package dir> <unpacked bundle dir>
// Exits non-zero, saying why, if a ${...} is left unresolved, the server does not answer both, or it fails.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [mcpbDir, bundleDir] = process.argv.slice(2);
const { getMcpConfigForManifest } = await import(pathToFileURL(join(mcpbDir, "dist/shared/config.js")).href);
const manifest = JSON.parse(readFileSync(join(bundleDir, "manifest.json"), "utf8"));
const home = homedir();
const config = await getMcpConfigForManifest({
  manifest,
  extensionPath: bundleDir,
  systemDirs: { HOME: home, DESKTOP: join(home, "Desktop"), DOCUMENTS: join(home, "Documents"), DOWNLOADS: join(home, "Downloads") },
  userConfig: { api_token: "bundle-check-token" },
  pathSeparator: process.platform === "win32" ? "\\" : "/",
});
const fail = (why) => { console.error(`check-bundle: ${why}`); process.exit(1); };
if (!config) fail("no mcp_config for this platform");
const text = JSON.stringify(config);
if (text.includes("${")) fail(`unresolved variable in ${text}`);
if (config.env.CLARI_API_TOKEN !== "bundle-check-token") fail("the token does not reach CLARI_API_TOKEN");

const input = [
  '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"check-bundle","version":"1"}}}',
  '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
].join("\n") + "\n";
// Claude Desktop passes a small environment plus env; PATH is kept so /bin/sh finds nothing it lacks.
const run = spawnSync(config.command, config.args ?? [], {
  input, env: { PATH: process.env.PATH, ...config.env }, timeout: 60_000, encoding: "utf8",
});
if (run.error) fail(`cannot start ${config.command}: ${run.error.message}`);
const replies = run.stdout.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
const ids = replies.filter((r) => r.result !== undefined).map((r) => r.id);
if (run.status !== 0 || ids[0] !== 0 || ids[1] !== 1) fail(`exit ${run.status}, replies ${run.stdout}, stderr ${run.stderr}`);
if (run.stderr.includes("configuration problem")) fail(`the defaults are not a valid configuration: ${run.stderr}`);
console.error(`check-bundle: ${config.command} answered initialize and tools/list (${replies[1].result.tools.length} tools)`);
