import { chromium } from 'playwright-core';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const p = await b.newPage({ viewport: { width: 1300, height: 900 } });
await p.goto('file://' + process.argv[2]);
await p.waitForTimeout(1500);
const h = await p.evaluate(() => document.body.scrollHeight);
console.log('height', h);
for (let i = 0; i < +process.argv[4]; i++) { await p.evaluate((y) => window.scrollTo(0, y), i * 900); await p.waitForTimeout(200); await p.screenshot({ path: `${process.argv[3]}-${i}.png` }); }
await b.close();
