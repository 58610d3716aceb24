/**
 * Opens an HTML file in Debian's chromium through playwright-core, offline, and reports what a
 * person would see: console errors, failed requests, charts drawn and whether each canvas has
 * non-blank pixels. Keeps a full-page screenshot under out/ (git-ignored) as a test artifact.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export interface PageCheck {
  consoleErrors: string[];
  requests: string[];
  chartsDrawn: number;
  canvases: number;
  /** Per canvas: count of pixels that are not transparent/white. */
  inkedPixels: number[];
  screenshot: string;
}

export async function checkReportInBrowser(file: string, screenshotName: string): Promise<PageCheck> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    await page.goto(`file://${path.resolve(file)}`, { waitUntil: 'load' });
    // Page code as strings: the project's tsconfig has no DOM types.
    const chartsDrawn = await page.evaluate<number>('window.visageChartsDrawn ?? -1');
    const inkedPixels = await page.evaluate<number[]>(`[...document.querySelectorAll('canvas')].map((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) n++;
      return n;
    })`);
    const dir = path.resolve('out/test-artifacts');
    mkdirSync(dir, { recursive: true });
    const screenshot = path.join(dir, screenshotName);
    await page.screenshot({ path: screenshot, fullPage: true });
    return { consoleErrors, requests, chartsDrawn, canvases: inkedPixels.length, inkedPixels, screenshot };
  } finally {
    await browser.close();
  }
}
