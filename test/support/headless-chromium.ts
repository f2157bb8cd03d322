import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface OpenedPage extends AsyncDisposable {
  page: Page;
  /** Console errors, uncaught exceptions and failed requests, as they happened. */
  problems: string[];
}

/** Opens a local file in Debian's Chromium with a new empty profile; dispose to close it. */
export async function openInChromium(file: string): Promise<OpenedPage> {
  const profile = await mkdtemp(join(tmpdir(), "bulwark-chromium-"));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`exception: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const opened = context;
    return {
      page,
      problems,
      async [Symbol.asyncDispose]() {
        await opened.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Runs in the page (plain JS: the project's type-check has no DOM types). */
const measureCharts = `Array.from(document.querySelectorAll(".chart")).map((element) => {
  const canvas = element.querySelector("canvas");
  let colouredPixels = 0;
  let faintRedPixels = 0;
  if (canvas) {
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < pixels.length; i += 4) {
      const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2], a = pixels[i + 3];
      if (a > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) colouredPixels++;
      else if (a > 15 && a < 80 && r > 150 && g < 100) faintRedPixels++;
    }
  }
  const parts = [element.dataset.chart, element.dataset.step, element.dataset.endpointName ?? element.dataset.timeline];
  return { chart: parts.filter((part) => part !== undefined).join("/"), drawn: element.dataset.drawn === "true", colouredPixels, faintRedPixels };
})`;

export interface ChartPixels {
  chart: string;
  drawn: boolean;
  /** Pixels of its canvas in a clear colour: series lines and shading, not the grey axes and grid. */
  colouredPixels: number;
  /** Translucent red: a shaded fault window. */
  faintRedPixels: number;
}

/** Per chart: whether uPlot drew it, and how much colour its canvas holds. */
export function chartPixels(page: Page): Promise<ChartPixels[]> {
  return page.evaluate(measureCharts) as Promise<ChartPixels[]>;
}
