// Takes graphstore's README screenshots in headless Chromium (Debian's /usr/bin/chromium),
// driven by playwright-core. Run by make.py, which starts Neo4j, loads the demo and writes
// the config: node shoot.mjs config.json
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const shot = (name) => join(cfg.out, name);
const log = (...args) => console.log('[shoot]', ...args);

const browser = await chromium.launch({
  executablePath: cfg.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--disable-dev-shm-usage'],
});

async function runInEditor(page, text) {
  await page.click('#monaco-main-editor');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(text);
  await page.click('[data-testid="editor-Run"]');
}

async function neo4jBrowser() {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const dbms = encodeURIComponent(`${cfg.bolt.replace('://', `://${cfg.user}@`)}`);
  await page.goto(`${cfg.browserUrl}?dbms=${dbms}&preselectAuthMethod=NATIVE`);
  await page.waitForSelector('input[data-testid="password"]', { timeout: 60000 });
  await page.fill('input[data-testid="password"]', cfg.password);
  await page.click('button[data-testid="connect"]');
  // browser.post_connect_cmd applies graphstore's style: a ":style {...}" frame shows it happened
  await page.waitForSelector('[data-testid="frameCommand"]:has-text(":style")', { timeout: 60000 });
  log('connected; post-connect style frame present');
  await runInEditor(page, ':clear');
  await page.waitForTimeout(500);
  await runInEditor(page, cfg.query);
  const frame = page.locator('[data-testid="frame"]').first();
  await frame.locator('svg g.node').first().waitFor({ timeout: 60000 });
  await page.waitForTimeout(4000); // let the force layout settle
  const nodes = await frame.locator('svg g.node').count();
  log(`lineage query drew ${nodes} nodes`);
  if (cfg.fullscreen) {
    await frame.locator('button[title="Fullscreen"]').click();
    await page.waitForTimeout(1500);
    await frame.locator('[data-testid="zoom-to-fit"], button[aria-label="Zoom to fit"], [title="Zoom to fit"]').first()
      .click({ timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(1500);
  }
  await page.screenshot({ path: shot('neo4j-browser-lineage.png') });
  if (cfg.fullscreen) {
    const titles = await frame.locator('button[title]').evaluateAll((els) => els.map((e) => e.title));
    log('frame buttons after fullscreen:', titles.join(', '));
    await frame.locator('button[title="Close fullscreen"], button[title="Fullscreen"]').first().click();
  }

  if (cfg.guideUrl) {
    await runInEditor(page, ':clear');
    await runInEditor(page, `:guide ${cfg.guideUrl}`);
    await page.getByText('graphstore in Neo4j Browser').first().waitFor({ timeout: 30000 });
    await page.getByText('Next').first().click().catch(() => {});
    await page.waitForTimeout(800);
    await page.locator('pre.runnable').first().click();
    await page.click('[data-testid="editor-Run"]');
    await page.locator('[data-testid="frame"] svg g.node').first().waitFor({ timeout: 60000 });
    await page.waitForTimeout(4000);
    await page.screenshot({ path: shot('neo4j-browser-guide.png') });
    log('guide loaded and its model-lineage query ran');
  }
  await page.close();
}

async function htmlPage() {
  const page = await browser.newPage({ viewport: { width: 1440, height: 760 }, deviceScaleFactor: 1 });
  const external = [];
  page.on('request', (req) => { if (!req.url().startsWith('file:')) { external.push(req.url()); } });
  await page.goto(pathToFileURL(cfg.lineageHtml).href);
  await page.waitForSelector('#graph g.node');
  await page.screenshot({ path: shot('html-lineage.png') });
  await page.click(`#graph g.node[data-key="${cfg.clickNode}"]`);
  await page.waitForSelector('#details h2');
  await page.screenshot({ path: shot('html-lineage-selected.png') });
  if (external.length) { throw new Error(`the HTML page fetched ${external.join(', ')}`); }
  log('HTML lineage page: offline, node selection works');
  await page.close();
}

try {
  if (cfg.lineageHtml) { await htmlPage(); }
  if (cfg.browserUrl) { await neo4jBrowser(); }
} finally {
  await browser.close();
}
