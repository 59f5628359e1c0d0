// Draw captured conversations as PNGs: `node render.mjs scenes.json out-dir`.
// page.mjs is bundled by esbuild into one page with nothing to fetch; headless Chromium
// (Debian's, at CHROMIUM or /usr/bin/chromium, driven by playwright-core, with a fresh profile
// and every network request refused) shows it, and each scene is screenshotted.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const [scenesFile, outDir] = process.argv.slice(2);
if (!scenesFile || !outDir) {
  console.error("usage: node render.mjs scenes.json out-dir");
  process.exit(2);
}
const scenes = JSON.parse(readFileSync(scenesFile, "utf8"));
const WIDTH = 760;

const bundle = await build({
  entryPoints: [join(here, "page.mjs")],
  bundle: true,
  write: false,
  format: "iife",
  platform: "browser",
  minify: true,
  logLevel: "warning",
});
const script = bundle.outputFiles[0].text.replaceAll("</script", "<\\/script");
const html = `<!doctype html><html><head><meta charset="utf-8"><style>
  html, body { margin: 0; background: #36393e; }
  discord-messages { border: none; padding: 8px 0 12px; }
  #scene { width: ${WIDTH}px; }
  .thread-title { color: #f2f3f5; font: 600 16px 'Noto Sans', 'DejaVu Sans', sans-serif;
    padding: 10px 16px 6px; margin-top: 6px; border-top: 1px solid #3f4147; }
</style></head><body><div id="scene"></div><script>${script}</script></body></html>`;

const work = mkdtempSync(join(tmpdir(), "treatybot-render-"));
const page_file = join(work, "page.html");
writeFileSync(page_file, html);
const context = await chromium.launchPersistentContext(join(work, "profile"), {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
  viewport: { width: WIDTH, height: 800 },
  deviceScaleFactor: 1,
  offline: true,
});
try {
  await context.route("**/*", (route) =>
    /^(file|data):/.test(route.request().url()) ? route.continue() : route.abort(),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`file://${page_file}`);
  for (const scene of scenes) {
    await page.evaluate(([s, botId]) => window.renderScene(s, botId), [scene, scene.bot_id ?? ""]);
    await page.evaluate(async () => {
      const pending = [...document.querySelectorAll("#scene *")].filter((e) => e.updateComplete);
      await Promise.all(pending.map((e) => e.updateComplete));
      await document.fonts.ready;
    });
    const file = join(outDir, `${scene.name}.png`);
    await page.locator("#scene").screenshot({ path: file });
    console.log(`wrote ${file}: ${scene.caption}`);
  }
  if (errors.length) {
    console.error(errors.join("\n"));
    process.exitCode = 1;
  }
} finally {
  await context.close();
  rmSync(work, { recursive: true, force: true });
}
